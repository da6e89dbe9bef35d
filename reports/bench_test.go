package reports

import (
	"testing"
)

// The July surge: 24 days at one window per scenario hour (576 windows, 2 classes),
// as a long scenario's report is rendered at the end of its run.
const surgeYAML = `name: surge
clock: {start: 2025-06-27 18:00, end: 2025-07-21 18:00, compress: 2880}
load: {baseline: 100/s}
mix: [{class: catalogue, weight: 1}, {class: submit, weight: 1}]
faults: [{at: 2025-07-01 08:00, for: 2h scenario, link: portal->registry, toxic: latency, latency: 200ms}]
slos:
  window: 1h
  objectives:
    - {name: avail, kind: availability, target: 99.9%}
    - {name: submit p95, kind: latency, class: submit, percentile: 95, max: 1s}
`

// BenchmarkRender renders every report of a 576-window run: summary, JUnit, seven
// figures in PNG and SVG, report.html.
func BenchmarkRender(b *testing.B) {
	dir := makeRun(b, runSpec{complete: true, windows: 576, scenario: surgeYAML,
		latency: func(c string, i int) int64 { return int64(1000 + (i%24)*2000) },
		failed:  func(c string, i int) int64 { return int64(i % 2) }})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Render(dir); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRead is the part every command pays: parse the journal and judge it.
func BenchmarkRead(b *testing.B) {
	dir := makeRun(b, runSpec{complete: true, windows: 576, scenario: surgeYAML, latency: flat(2000)})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Read(dir); err != nil {
			b.Fatal(err)
		}
	}
}
