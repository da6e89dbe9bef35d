package reports

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"

	"github.com/thongsuot/thongsuot/harness/metrics"
	"github.com/thongsuot/thongsuot/scenarios"
)

// SummaryBandwidth is what the run moved on the wire, headers included: per link tier
// (the requests that went over it, by the load's count) and per link (by its meter).
type SummaryBandwidth struct {
	Tiers []TrafficTotals `json:"tiers"`
	Links []TrafficTotals `json:"links"` // empty where the runtime could not read its links' meters
	// Provinces are by province code (units), the unit whose user sent each request:
	// every province, busiest first, with what its users got over the run.
	Provinces []ProvinceTraffic `json:"provinces"`
}

// ProvinceTraffic is one province's row: its users' bytes and busiest window (Name is
// the province's code), and what they got over the run, every class together.
type ProvinceTraffic struct {
	TrafficTotals
	Province string `json:"province"` // the province's name (units)
	Sent     int64  `json:"sent"`     // requests its users sent
	Failed   int64  `json:"failed"`   // of those, unanswered: transport errors, timeouts, 5xx
	// Availability is the share of its requests answered, in percent; P95 the answered
	// requests' 95th percentile latency (to 1 %). Both absent when it sent nothing, and
	// in journals written before provinces' latencies were kept.
	Availability *float64 `json:"availability,omitempty"`
	P95          *float64 `json:"p95_ms,omitempty"`
}

// TrafficTotals are one tier's or link's bytes over the run and its busiest window.
type TrafficTotals struct {
	Name string `json:"name"` // tier or link
	// Up is towards the portal (requests), Down back (answers).
	BytesUp   int64 `json:"bytes_up"`
	BytesDown int64 `json:"bytes_down"`
	// PeakUpMbps and PeakDownMbps are the busiest window's, megabits per second of
	// wall time (what the link carried in the run, compressed).
	PeakUpMbps   float64 `json:"peak_up_mbps"`
	PeakDownMbps float64 `json:"peak_down_mbps"`
	// CapacityMbps is the link's standing shared cap each way (0: none).
	CapacityMbps float64 `json:"capacity_mbps,omitempty"`
}

// bandwidth sums the run's bytes per tier and per link.
func (r *Run) bandwidth() SummaryBandwidth {
	width := r.Journal.Run.Window
	out := SummaryBandwidth{Tiers: []TrafficTotals{}, Links: []TrafficTotals{}, Provinces: r.provinces()}
	for _, tier := range scenarios.Tiers {
		t := TrafficTotals{Name: tier}
		for i := range r.windowCount() {
			w := r.window(i, "")
			if w == nil {
				continue
			}
			b := w.TierBytes[tier]
			t.BytesUp, t.BytesDown = t.BytesUp+b.Out, t.BytesDown+b.In
			t.PeakUpMbps = max(t.PeakUpMbps, metrics.Mbps(b.Out, width))
			t.PeakDownMbps = max(t.PeakDownMbps, metrics.Mbps(b.In, width))
		}
		t.CapacityMbps = r.Journal.Run.LinkCapacity[scenarios.TierLink(tier)] / 1e6
		out.Tiers = append(out.Tiers, t)
	}
	byLink := map[string]*TrafficTotals{}
	perWindow := map[[2]string]metrics.Bytes{} // link and index → bytes, shards' lines added
	for _, l := range r.Journal.Links {
		if byLink[l.Link] == nil {
			byLink[l.Link] = &TrafficTotals{Name: l.Link, CapacityMbps: r.Journal.Run.LinkCapacity[l.Link] / 1e6}
		}
		t := byLink[l.Link]
		t.BytesUp, t.BytesDown = t.BytesUp+l.Up, t.BytesDown+l.Down
		k := [2]string{l.Link, fmt.Sprint(l.Index)}
		b := perWindow[k]
		b.Out, b.In = b.Out+l.Up, b.In+l.Down
		perWindow[k] = b
		t.PeakUpMbps = max(t.PeakUpMbps, metrics.Mbps(b.Out, width))
		t.PeakDownMbps = max(t.PeakDownMbps, metrics.Mbps(b.In, width))
	}
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range byLink {
			if !yield(k) {
				return
			}
		}
	}) {
		out.Links = append(out.Links, *byLink[name])
	}
	return out
}

// provinces is every province's row, busiest first: bytes and peaks from the class
// windows, requests and latencies from the province windows summed over the run.
func (r *Run) provinces() []ProvinceTraffic {
	width := r.Journal.Run.Window
	if len(r.Journal.ProvinceWindows) == 0 && !r.anyProvinceBytes() {
		return []ProvinceTraffic{} // no request named a unit (a replay, an old journal)
	}
	byCode := map[string]*ProvinceTraffic{}
	row := func(code string) *ProvinceTraffic {
		p := byCode[code]
		if p == nil {
			p = &ProvinceTraffic{TrafficTotals: TrafficTotals{Name: code}}
			byCode[code] = p
		}
		return p
	}
	for _, p := range scenarios.Provinces() {
		row(p.Code).Province = p.Name
	}
	for i := range r.windowCount() {
		w := r.window(i, "")
		if w == nil {
			continue
		}
		for code, b := range w.ProvinceBytes {
			t := row(code)
			t.BytesUp, t.BytesDown = t.BytesUp+b.Out, t.BytesDown+b.In
			t.PeakUpMbps = max(t.PeakUpMbps, metrics.Mbps(b.Out, width))
			t.PeakDownMbps = max(t.PeakDownMbps, metrics.Mbps(b.In, width))
		}
	}
	for code, run := range metrics.SumProvinces(r.Journal.ProvinceWindows) {
		t := row(code)
		t.Sent, t.Failed = run.Sent, run.Failed
		if run.Sent > 0 {
			a := run.Availability()
			t.Availability = &a
		}
		if run.Latency.TotalCount() > 0 {
			p95 := float64(run.Percentile(95)) / float64(time.Millisecond)
			t.P95 = &p95
		}
	}
	out := make([]ProvinceTraffic, 0, len(byCode))
	for _, p := range byCode {
		out = append(out, *p)
	}
	slices.SortFunc(out, func(a, b ProvinceTraffic) int { // codes are unique: a total order
		if a.BytesDown+a.BytesUp != b.BytesDown+b.BytesUp {
			return cmp.Compare(b.BytesDown+b.BytesUp, a.BytesDown+a.BytesUp)
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

func (r *Run) anyProvinceBytes() bool {
	for _, w := range r.Journal.Windows {
		if len(w.ProvinceBytes) > 0 {
			return true
		}
	}
	return false
}

// bandwidthFigure draws Mbps per tier over the run, each way, and each tier link's
// meter with its capacity as a line.
func (r *Run) bandwidthFigure() (*figure, error) {
	var any bool
	for _, w := range r.Journal.Windows {
		if w.BytesIn+w.BytesOut > 0 {
			any = true
			break
		}
	}
	if !any {
		return nil, nil
	}
	width := r.Journal.Run.Window
	perTier := r.panel(r.Scenario.Name+" — bandwidth per link tier (the load's count)", "Mbps (wall)")
	top := 0.0
	for i, tier := range scenarios.Tiers {
		c := categorical[i%len(categorical)]
		for _, way := range []struct {
			name   string
			dashed bool
			bytes  func(b metrics.Bytes) int64
		}{{"down (answers)", false, func(b metrics.Bytes) int64 { return b.In }}, {"up (requests)", true, func(b metrics.Bytes) int64 { return b.Out }}} {
			pts := r.steps("", func(w *metrics.Window) float64 { return metrics.Mbps(way.bytes(w.TierBytes[tier]), width) })
			if maxY(pts) == 0 {
				continue
			}
			top = max(top, maxY(pts))
			if err := addLine(perTier, pts, series{name: tier + " " + way.name, color: c, dashed: way.dashed, step: true}); err != nil {
				return nil, err
			}
		}
	}
	headroom(perTier, top)
	panels := []*plot.Plot{perTier}

	if len(r.Journal.Links) > 0 {
		perLink := r.panel(r.Scenario.Name+" — what each tier link carried (its meter), busier way, and its capacity", "Mbps (wall)")
		top = 0
		for i, tier := range scenarios.Tiers {
			link := scenarios.TierLink(tier)
			byIndex := map[int]metrics.Bytes{}
			for _, l := range r.Journal.Links {
				if l.Link == link {
					b := byIndex[l.Index]
					b.Out, b.In = b.Out+l.Up, b.In+l.Down
					byIndex[l.Index] = b
				}
			}
			pts := r.steps("", func(w *metrics.Window) float64 {
				b := byIndex[w.Index]
				return metrics.Mbps(max(b.In, b.Out), width)
			})
			if maxY(pts) == 0 {
				continue
			}
			c := categorical[i%len(categorical)]
			top = max(top, maxY(pts))
			if err := addLine(perLink, pts, series{name: link, color: c, step: true}); err != nil {
				return nil, err
			}
			// The capacity is drawn only when it is near enough to the traffic to read.
			if capacity := r.Journal.Run.LinkCapacity[link] / 1e6; capacity > 0 && capacity < 20*maxY(pts) && len(pts) > 0 {
				line := plotter.XYs{{X: pts[0].X, Y: capacity}, {X: pts[len(pts)-1].X, Y: capacity}}
				top = max(top, capacity)
				if err := addLine(perLink, line, series{name: link + " capacity", color: c, dashed: true}); err != nil {
					return nil, err
				}
			}
		}
		headroom(perLink, top)
		panels = append(panels, perLink)
	}
	var caps []string
	for _, t := range r.bandwidth().Tiers {
		if t.CapacityMbps > 0 {
			caps = append(caps, fmt.Sprintf("%s %s", t.Name, mbpsText(t.CapacityMbps)))
		}
	}
	caption := fmt.Sprintf("Bytes on the wire, headers included, per %s window, in megabits per second of wall time: a compressed run moves the traffic that many times faster, and its links' capacities are scaled the same way (units × compress × scale).",
		shortDuration(r.Scenario.SLOs.Window.Duration))
	if len(caps) > 0 {
		caption += " Tier links' shared capacity: " + strings.Join(caps, ", ") + "."
	}
	return &figure{Name: "bandwidth", Title: "Bandwidth: per tier and per link", Caption: caption, Panels: panels}, nil
}

// mbpsText writes a bandwidth in Mbps for people.
func mbpsText(mbps float64) string {
	switch {
	case mbps >= 1e6:
		return fmt.Sprintf("%.3g Tbps", mbps/1e6)
	case mbps >= 1000:
		return fmt.Sprintf("%.3g Gbps", mbps/1000)
	}
	return fmt.Sprintf("%.3g Mbps", mbps)
}
