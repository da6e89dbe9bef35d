package journal

import (
	"fmt"
	"path/filepath"

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
