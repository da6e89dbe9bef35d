package scenarios

import (
	"fmt"
	"slices"
	"time"
)

// Channels split dossiers between the two ways they are filed: online by the citizen
// (citizen-dossier, the bundles), or at the commune's one-door counter, where an
// official files the walk-in's papers (official-counter). With load.channels, a
// journey that files online follows its curve × the online share, one that files at
// the counter × the rest: an online entry and a counter entry of the same rate make
// that many dossiers in all. Published figures give the share over time (calibration
// F10, F11, F12, F13).
type Channels struct {
	// Online is the share of dossiers filed online over scenario time: linear between
	// points, held before the first and after the last. An area's online_ratio
	// (load.population.areas) scales it there; the share given here is everyone else's.
	Online []SharePoint `yaml:"online"`
}

// SharePoint is one point of a share over time.
type SharePoint struct {
	At    Time    `yaml:"at"`
	Share Percent `yaml:"share"`
}

// Channel names.
const (
	ChannelOnline  = "online"
	ChannelCounter = "counter"
)

// MaxSharePoints bounds load.channels.online: every arrival of a channel entry reads it.
const MaxSharePoints = 200

// OnlineAt is the online share at scenario time t.
func (c *Channels) OnlineAt(t time.Time) float64 {
	pts := c.Online
	i, _ := slices.BinarySearchFunc(pts, t, func(p SharePoint, t time.Time) int { return p.At.Compare(t) })
	switch {
	case i == 0:
		return float64(pts[0].Share)
	case i == len(pts):
		return float64(pts[len(pts)-1].Share)
	}
	a, b := pts[i-1], pts[i]
	frac := float64(t.Sub(a.At.Time)) / float64(b.At.Sub(a.At.Time))
	return float64(a.Share) + frac*float64(b.Share-a.Share)
}

// MaxOnline is the highest online share of the curve.
func (c *Channels) MaxOnline() float64 {
	peak := 0.0
	for _, p := range c.Online {
		peak = max(peak, float64(p.Share))
	}
	return peak
}

func (c *Channels) validate() []problem {
	var ps []problem
	if len(c.Online) == 0 {
		return []problem{problemf("load.channels.online", "empty: give at least one {at, share} point")}
	}
	if len(c.Online) > MaxSharePoints {
		ps = append(ps, problemf("load.channels.online", "has %d points; the limit is %d", len(c.Online), MaxSharePoints))
	}
	for i, p := range c.Online {
		f := fmt.Sprintf("load.channels.online[%d]", i)
		switch {
		case p.At.IsZero():
			ps = append(ps, problemf(f+".at", "missing: the scenario time of the point, e.g. 2025-07-01"))
		case i > 0 && !p.At.After(c.Online[i-1].At.Time):
			ps = append(ps, problemf(f+".at", "is not after the point before it: list points in time order"))
		}
	}
	return ps
}
