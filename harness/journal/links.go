package journal

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/thongsuot/thongsuot/harness/metrics"
)

// linksFile holds what each link carried per window (metrics.LinkWindow), one line per
// link and window; absent for runtimes that cannot read their links' meters.
const linksFile = "links.jsonl"

// LinkLog appends link windows to a run's journal.
type LinkLog struct{ f File }

// OpenLinks starts runDir's link log (the journal directory must exist).
func OpenLinks(runDir string) (*LinkLog, error) {
	f, err := OpenFile(filepath.Join(runDir, Dir, linksFile))
	if err != nil {
		return nil, fmt.Errorf("creating journal: %w", err)
	}
	return &LinkLog{f: f}, nil
}

// Append writes link windows and syncs them to disk.
func (l *LinkLog) Append(ws []metrics.LinkWindow) error {
	if len(ws) == 0 {
		return nil
	}
	return appendLines(l.f, ws)
}

// Close closes the log.
func (l *LinkLog) Close() error { return l.f.Close() }

// readLinks reads links.jsonl; a journal without one has no link windows.
func readLinks(dir string) ([]metrics.LinkWindow, error) {
	var out []metrics.LinkWindow
	err := readLines(filepath.Join(dir, linksFile), maxLine, func(w metrics.LinkWindow) error {
		if len(out) > 64*maxWindows {
			return fmt.Errorf("more link windows than a run measures")
		}
		if w.Index < 0 || w.Index > 2*maxWindows || w.Up < 0 || w.Down < 0 || w.Link == "" {
			return fmt.Errorf("link window %d %q is not one a run writes", w.Index, w.Link)
		}
		out = append(out, w)
		return nil
	})
	return out, err
}

// maxProvinces bounds the provinces a window names: the 34, with room for a reference
// dataset that grows.
const maxProvinces = 64

// readProvinceWindows reads province_windows.jsonl, the additions a window got after
// it was first written merged into it; a journal without one has none.
func readProvinceWindows(dir string, run RunInfo) ([]*metrics.ProvinceWindow, error) {
	type key struct {
		index    int
		province string
	}
	at := map[key]*metrics.ProvinceWindow{}
	var out []*metrics.ProvinceWindow
	err := readLines(filepath.Join(dir, provinceWindowsFile), maxLine, func(w *metrics.ProvinceWindow) error {
		if w.Index < 0 || w.Index >= max(run.Windows, 1) || w.Province == "" || len(w.Province) > 16 || w.Sent < 0 || w.Failed < 0 || w.Failed > w.Sent {
			return fmt.Errorf("province window %d %q is not one a run writes", w.Index, w.Province)
		}
		k := key{w.Index, w.Province}
		if first, ok := at[k]; ok {
			first.Merge(w)
			return nil
		}
		if len(out) >= maxProvinces*maxWindows {
			return fmt.Errorf("more province windows than a run writes")
		}
		at[k] = w
		out = append(out, w)
		return nil
	})
	slices.SortStableFunc(out, func(a, b *metrics.ProvinceWindow) int {
		if a.Index != b.Index {
			return a.Index - b.Index
		}
		return strings.Compare(a.Province, b.Province)
	})
	return out, err
}
