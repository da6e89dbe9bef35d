package reports

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/plot/vg"
)

// The browser test opens report.html in headless Chromium (Debian's chromium, which
// make test installs) the way a person would: offline, from the file. It fails when the
// verdict is missing, an image did not load, the page fetched anything from a network,
// or the page is blank. The screenshot is kept in the run directory and, when
// THONGSUOT_ARTIFACTS names a directory, copied there.

// browser finds Chromium; without it the test is skipped, except in CI.
func browser(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium: install Debian's chromium (make test-deps)")
	}
	t.Skip("no Chromium installed (apt-get install chromium)")
	return ""
}

// pageState is what the test reads off a loaded report.
type pageState struct {
	Verdict       string      `json:"verdict"`
	Images        int         `json:"images"`
	Broken        []string    `json:"broken"`  // alt text of images that did not load
	Fetched       []string    `json:"fetched"` // resources the page loaded from anywhere
	TextLength    int         `json:"textLength"`
	Plots         []plotState `json:"plots"`
	FailedWindows int         `json:"failedWindows"` // rows listing an objective's failed windows
	PageWidth     float64     `json:"pageWidth"`
	Screenshot    []byte      `json:"-"`
}

// plotState is one plot as the browser shows it.
type plotState struct {
	Alt           string  `json:"alt"`
	Section       string  `json:"section"` // the figure's name: the id of its section
	NaturalWidth  int     `json:"naturalWidth"`
	NaturalHeight int     `json:"naturalHeight"`
	Left          float64 `json:"left"` // where it is drawn on the page, CSS pixels
	Right         float64 `json:"right"`
	Width         float64 `json:"width"`
}

const inspectJS = `(() => {
  const imgs = Array.from(document.images);
  const v = document.getElementById('verdict');
  return {
    verdict: v ? v.innerText : '',
    images: imgs.length,
    broken: imgs.filter(i => !i.complete || i.naturalWidth === 0).map(i => i.alt),
    fetched: performance.getEntriesByType('resource').map(e => e.name),
    textLength: document.body ? document.body.innerText.length : 0,
    plots: imgs.map(i => {
      const r = i.getBoundingClientRect();
      const s = i.closest('section');
      return {alt: i.alt, section: s ? s.id : '', naturalWidth: i.naturalWidth, naturalHeight: i.naturalHeight,
        left: r.left, right: r.right, width: r.width};
    }),
    failedWindows: document.querySelectorAll('tr.failed-window').length,
    pageWidth: document.documentElement.clientWidth,
  };
})()`

func inspect(ctx context.Context, path string) (pageState, error) {
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+path), chromedp.WaitVisible(chromedp.CSS("body"))); err != nil {
		return pageState{}, err
	}
	st, err := chromedp.Run(ctx, chromedp.Evaluate[pageState](inspectJS))
	if err != nil {
		return st, err
	}
	st.Screenshot, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
	return st, err
}

func TestReportInABrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser(t)), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.WindowSize(1280, 1600))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	if err := chromedp.Do(ctx); err != nil { // start the browser without a deadline on it
		t.Fatalf("starting Chromium: %v", err)
	}

	tests := []struct {
		name    string
		dir     func(t *testing.T) string
		verdict string
	}{
		{"failing run", func(t *testing.T) string { return writeRun(t, true) }, "FAIL — 1 of 3 objectives broken"},
		{"killed run", func(t *testing.T) string { return writeRun(t, false) }, "INCOMPLETE — the run was cut short"},
		{"july1-surge, 25 classes", func(t *testing.T) string { return surgeRun(t) }, "FAIL — "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.dir(t)
			sum, err := Render(dir)
			require.NoError(t, err)
			figures := 0
			for _, f := range sum.Files {
				if strings.HasSuffix(f, ".png") {
					figures++
				}
			}
			pageCtx, cancel := context.WithTimeout(ctx, time.Minute)
			defer cancel()
			st, err := inspect(pageCtx, filepath.Join(dir, HTMLFile))
			require.NoError(t, err)

			assert.True(t, strings.HasPrefix(st.Verdict, tt.verdict), "verdict %q", st.Verdict)
			assert.Equal(t, figures, st.Images, "every figure is on the page")
			assert.Empty(t, st.Broken, "images that did not load")
			assert.Empty(t, st.Fetched, "the report must not fetch anything")
			assert.Greater(t, st.TextLength, 1000, "the page has its tables")
			assertNotBlank(t, st.Screenshot)
			assertPlotsLegible(t, dir, st)
			failed := 0
			for _, o := range sum.Objectives {
				failed += len(o.Failed)
			}
			assert.Equal(t, failed, st.FailedWindows, "every failed window of every objective is listed")

			shot := filepath.Join(dir, "report-screenshot.png")
			require.NoError(t, os.WriteFile(shot, st.Screenshot, 0o644))
			if arts := os.Getenv("THONGSUOT_ARTIFACTS"); arts != "" {
				require.NoError(t, os.MkdirAll(arts, 0o755))
				name := "report-" + strings.ReplaceAll(tt.name, " ", "-") + ".png"
				require.NoError(t, os.WriteFile(filepath.Join(arts, name), st.Screenshot, 0o644))
				t.Logf("screenshot: %s", filepath.Join(arts, name))
			}
		})
	}

	// The checks do catch a broken image and a blank page.
	t.Run("a broken image is caught", func(t *testing.T) {
		dir := writeRun(t, true)
		_, err := Render(dir)
		require.NoError(t, err)
		path := filepath.Join(dir, HTMLFile)
		page, err := os.ReadFile(path)
		require.NoError(t, err)
		i := bytes.Index(page, []byte(`src="data:image/png;base64,`))
		require.Positive(t, i)
		page = append(page[:i:i], append([]byte(`src="data:image/png;base64,AAAA" data-x="`), page[i+5:]...)...)
		require.NoError(t, os.WriteFile(path, page, 0o644))
		pageCtx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		st, err := inspect(pageCtx, path)
		require.NoError(t, err)
		assert.Len(t, st.Broken, 1)
	})
	t.Run("a blank page is caught", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "blank.html")
		require.NoError(t, os.WriteFile(path, []byte("<!DOCTYPE html><html><body></body></html>"), 0o644))
		pageCtx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		st, err := inspect(pageCtx, path)
		require.NoError(t, err)
		assert.Empty(t, st.Verdict)
		assert.Zero(t, st.TextLength)
		assert.True(t, blank(st.Screenshot))
	})
}

// assertPlotsLegible checks each plot as the browser shows it: loaded, not absurdly
// tall, on the page; and, against the figure's layout (which drew it), its legends
// inside the image and off the data, its titles no wider than their panel.
func assertPlotsLegible(t *testing.T, dir string, st pageState) {
	t.Helper()
	r, err := Read(dir)
	require.NoError(t, err)
	figs, err := r.figures()
	require.NoError(t, err)
	layouts := map[string]figureLayout{}
	for _, f := range figs {
		layouts[f.Name] = f.layout()
	}
	require.NotEmpty(t, st.Plots)
	for _, p := range st.Plots {
		name := p.Section
		lay, ok := layouts[name]
		if !assert.True(t, ok, "plot %q is a figure of the run", p.Alt) {
			continue
		}
		assert.Positive(t, p.NaturalWidth, "%s: loaded", name)
		assert.Positive(t, p.NaturalHeight, "%s: loaded", name)
		assert.LessOrEqual(t, p.NaturalHeight, 5*p.NaturalWidth/2, "%s: %d×%d px is absurdly tall", name, p.NaturalWidth, p.NaturalHeight)
		assert.InDelta(t, px(lay.Width), p.NaturalWidth, 1, "%s: the image is the figure as laid out", name)
		assert.InDelta(t, px(lay.Height), p.NaturalHeight, 1, "%s: the image is the figure as laid out", name)
		assert.Positive(t, p.Width, "%s: shown", name)
		assert.LessOrEqual(t, p.Right, st.PageWidth+1, "%s: within the page", name)
		assert.GreaterOrEqual(t, p.Left, 0.0, "%s: within the page", name)
		image := vg.Rectangle{Max: vg.Point{X: lay.Width, Y: lay.Height}}
		for i, box := range lay.Panels {
			assert.LessOrEqual(t, float64(box.Title.Size().X), float64(box.Tile.Size().X)+0.01, "%s panel %d: title clipped", name, i)
			assert.True(t, within(box.Title, image), "%s panel %d: title inside the image", name, i)
			if box.Legend.Size().Y > 0 {
				assert.True(t, within(box.Legend, image), "%s panel %d: legend inside the image", name, i)
				assert.False(t, overlaps(box.Legend, box.Data), "%s panel %d: legend off the data", name, i)
			}
		}
	}
}

func assertNotBlank(t *testing.T, shot []byte) {
	t.Helper()
	assert.False(t, blank(shot), "the screenshot is one colour")
}

// blank reports whether a screenshot is a single colour.
func blank(shot []byte) bool {
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		return true
	}
	b := img.Bounds()
	first := img.At(b.Min.X, b.Min.Y)
	for y := b.Min.Y; y < b.Max.Y; y += 4 {
		for x := b.Min.X; x < b.Max.X; x += 4 {
			if !sameColor(img.At(x, y), first) {
				return false
			}
		}
	}
	return true
}

func sameColor(a, b interface{ RGBA() (r, g, bl, al uint32) }) bool {
	r1, g1, b1, a1 := a.RGBA()
	r2, g2, b2, a2 := b.RGBA()
	return r1 == r2 && g1 == g2 && b1 == b2 && a1 == a2
}
