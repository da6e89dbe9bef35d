package reports

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/thongsuot/thongsuot/harness/journal"
)

// report.html is one self-contained file: every image inlined, nothing to fetch, no
// script; the verdict first, a row per objective, faults, scenario and environment.
func TestReportHTMLIsSelfContained(t *testing.T) {
	dir := writeRun(t, true)
	sum, err := Render(dir)
	require.NoError(t, err)
	f, err := os.Open(filepath.Join(dir, HTMLFile))
	require.NoError(t, err)
	defer f.Close()
	doc, err := html.Parse(f)
	require.NoError(t, err)

	var (
		images, objectives int
		verdict, text      string
		firstSection       string
	)
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			attr := map[string]string{}
			for _, a := range n.Attr {
				attr[a.Key] = a.Val
			}
			switch n.Data {
			case "img":
				images++
				assert.True(t, strings.HasPrefix(attr["src"], "data:image/png;base64,"), "image %q is inlined", attr["alt"])
				assert.NotEmpty(t, attr["alt"])
			case "script", "link", "iframe", "object", "embed":
				t.Errorf("<%s> in a self-contained report", n.Data)
			case "tr":
				if strings.Contains(attr["class"], "objective") {
					objectives++
				}
			case "section":
				if firstSection == "" {
					firstSection = attr["id"]
				}
			case "style":
				assert.NotContains(t, n.FirstChild.Data, "url(", "CSS fetches nothing")
			}
			if attr["id"] == "verdict" {
				verdict = attr["class"] + ": " + n.FirstChild.Data
			}
			for _, k := range []string{"href", "src"} {
				if v := attr[k]; strings.HasPrefix(v, "http") || strings.HasPrefix(v, "//") {
					t.Errorf("<%s %s=%q> points at a network", n.Data, k, v)
				}
			}
		}
		if n.Type == html.TextNode {
			text += n.Data
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)

	assert.Equal(t, "fail: FAIL — 1 of 3 objectives broken", verdict)
	assert.Equal(t, "objectives", firstSection, "the objectives come right after the verdict")
	assert.Equal(t, len(sum.Objectives), objectives, "a row per objective")
	figures := 0
	for _, f := range sum.Files {
		if strings.HasSuffix(f, ".png") {
			figures++
		}
	}
	assert.Equal(t, figures, images)
	for _, want := range []string{
		"60.0ms over 150.0ms",           // by how much the worst window broke the objective
		"2025-07-01 08:04:00 ICT",       // and when
		"slow registry",                 // the fault timeline
		"latency=200",                   // with its parameters
		"mix:",                          // the scenario as run
		"ci-host, linux/amd64",          // the machine
		"github.com/tsenart/vegeta/v12", // the generator's version
	} {
		assert.Contains(t, text, want)
	}
}

// htmlNodes parses report.html and returns the elements matching keep.
func htmlNodes(t *testing.T, path string, keep func(n *html.Node) bool) []*html.Node {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	doc, err := html.Parse(f)
	require.NoError(t, err)
	var out []*html.Node
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && keep(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// report.html lists each objective's failed windows — when, the value, by how much —
// folded in a <details> when there are many, as junit.xml does.
func TestReportListsFailedWindows(t *testing.T) {
	tests := []struct {
		name      string
		dir       string
		objective string
		windows   int
		folded    bool
		want      []string
	}{
		{"two windows of submit p95", writeRun(t, true), "submit p95", 2, false,
			[]string{"2025-07-01 08:04:00 ICT", "2025-07-01 08:05:00 ICT", "210.0ms", "60.0ms over 150.0ms"}},
		{"every window of avail, folded", makeRun(t, runSpec{complete: true, latency: flat(2000), failed: func(string, int) int64 { return 5 }}), "avail", 10, true,
			[]string{"90.00%", "9.00 points below 99.00%", "2025-07-01 08:09:00 ICT"}},
		{"nothing failed", makeRun(t, runSpec{complete: true, latency: flat(2000)}), "", 0, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Render(tt.dir)
			require.NoError(t, err)
			lists := htmlNodes(t, filepath.Join(tt.dir, HTMLFile), func(n *html.Node) bool {
				return n.Data == "tr" && attr(n, "class") == "failed-windows"
			})
			if tt.windows == 0 {
				assert.Empty(t, lists)
				return
			}
			var list *html.Node
			for _, l := range lists {
				if attr(l, "data-objective") == tt.objective {
					list = l
				}
			}
			require.NotNil(t, list, "the failed windows of %s are listed", tt.objective)
			var rows, details int
			var walk func(n *html.Node)
			walk = func(n *html.Node) {
				if n.Type == html.ElementNode && n.Data == "tr" && attr(n, "class") == "failed-window" {
					rows++
				}
				if n.Type == html.ElementNode && n.Data == "details" {
					details++
				}
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					walk(c)
				}
			}
			walk(list)
			assert.Equal(t, tt.windows, rows, "a row per failed window")
			assert.Equal(t, tt.folded, details == 1, "folded in a <details>")
			for _, w := range tt.want {
				assert.Contains(t, textOf(list), w)
			}
		})
	}
}

func TestFormatValueSpacesWordUnits(t *testing.T) {
	tests := []struct {
		unit string
		v    float64
		want string
	}{
		{"%", 99.5, "99.50%"},
		{"ms", 12.34, "12.3ms"},
		{"", 3, "3"},
		{"dossiers", 0, "0 dossiers"},
		{"dossiers", 12, "12 dossiers"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, FormatValue(tt.unit, tt.v))
	}
}

// The zero-loss objective counts dossiers: "0 dossiers", never "0dossiers".
func TestReportWritesUnitsApart(t *testing.T) {
	dir := makeRun(t, runSpec{complete: true, latency: flat(2000), scenario: strings.Replace(scenarioYAML,
		"    - {name: avail, kind: availability, target: 99%}", "    - {name: avail, kind: availability, target: 99%}\n    - {name: no dossier lost, kind: zero_loss}", 1)})
	require.NoError(t, journal.WriteReconciliation(dir, &journal.Reconciliation{Acknowledged: 40, Stored: 40}))
	_, err := Render(dir)
	require.NoError(t, err)
	page, err := os.ReadFile(filepath.Join(dir, HTMLFile))
	require.NoError(t, err)
	assert.True(t, strings.Contains(string(page), ">0 dossiers<"), "the overall value reads 0 dossiers")
	assert.Empty(t, regexp.MustCompile(`[0-9]dossiers`).FindAllString(string(page), -1), "a number glued to its unit")
}

// A run whose journey checks failed shows how many per class, beside the failures of
// the transport and the status; a run without checks has no such column.
func TestReportShowsFailedChecksPerClass(t *testing.T) {
	tests := []struct {
		name string
		spec runSpec
		want []string // the checks-failed cells, by class and then the total
	}{
		{"checks failed in submit", runSpec{complete: true, latency: flat(2000), checks: func(class string, i int) int64 {
			if class == "submit" && i < 3 {
				return 4
			}
			return 0
		}}, []string{"0", "12", "12"}},
		{"no checks", runSpec{complete: true, latency: flat(2000)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := makeRun(t, tt.spec)
			_, err := Render(dir)
			require.NoError(t, err)
			cells := htmlNodes(t, filepath.Join(dir, HTMLFile), func(n *html.Node) bool {
				return n.Data == "td" && strings.Contains(attr(n, "class"), "checks-failed")
			})
			var got []string
			for _, c := range cells {
				got = append(got, textOf(c))
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

// The bandwidth section carries a row per province — all 34, by code and name, busiest
// first —: its users' busiest window each way, their requests, p95 and availability over
// the run; and summary.json the same rows.
func TestReportTablesEveryProvince(t *testing.T) {
	dir := makeRun(t, runSpec{complete: true, provinces: true,
		latency: func(class string, i int) int64 {
			if class == "submit" && i == 9 {
				return 400_000 // the slowest tenth of the run's submits: their p95
			}
			return 2000
		},
		failed: func(class string, i int) int64 {
			if class == "submit" && i == 0 {
				return 5 // 5 of the province's 500
			}
			return 0
		}})
	sum, err := Render(dir)
	require.NoError(t, err)
	rows := htmlNodes(t, filepath.Join(dir, HTMLFile), func(n *html.Node) bool {
		return n.Data == "tr" && attr(n, "class") == "province"
	})
	require.Len(t, rows, 34, "every province, by the units data")
	cells := func(n *html.Node) []string {
		var out []string
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && c.Data == "td" {
				out = append(out, textOf(c))
			}
		}
		return out
	}
	tests := []struct {
		row  int
		want []string
	}{
		// 10 kB down and 1 kB up per request, 50 a one-second window: 4 and 0.4 Mbps.
		{0, []string{"01", "Hà Nội", "0.4 Mbps", "4 Mbps", "500", "2.0ms", "100.00%"}},
		{1, []string{"79", "Hồ Chí Minh", "0.4 Mbps", "4 Mbps", "500", "401.4ms", "99.00%"}}, // 400 ms to two significant digits
		{33, nil}, // a province whose users sent nothing: dashes
	}
	for _, tt := range tests {
		got := cells(rows[tt.row])
		require.Len(t, got, 7)
		if tt.want == nil {
			assert.Equal(t, []string{"—", "—", "0", "—", "—"}, got[2:], "row %d", tt.row)
			continue
		}
		assert.Equal(t, tt.want[0], got[0])
		assert.Contains(t, got[1], tt.want[1], "the province's name")
		assert.Equal(t, tt.want[2:], got[2:], "row %d", tt.row)
	}
	require.Len(t, sum.Bandwidth.Provinces, 34)
	hcm := sum.Bandwidth.Provinces[1]
	assert.Equal(t, "79", hcm.Name)
	assert.Equal(t, int64(500), hcm.Sent)
	assert.Equal(t, int64(5), hcm.Failed)
	require.NotNil(t, hcm.Availability)
	assert.InDelta(t, 99.0, *hcm.Availability, 1e-9)
	require.NotNil(t, hcm.P95)
	assert.InDelta(t, 400, *hcm.P95, 4, "to 1 %")
	assert.Nil(t, sum.Bandwidth.Provinces[33].P95, "nothing sent, no p95")
}
