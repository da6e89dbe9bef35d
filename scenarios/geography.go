package scenarios

import (
	"regexp"
	"strconv"

	"github.com/thongsuot/thongsuot/units"
)

// Area gives a province or one commune-level unit a share of its own: where a published
// figure says how much of the nation's dossiers an area filed (calibration F11, F13,
// F14…), the population carries that share instead of its units' type weights.
type Area struct {
	// Share is the area's share of every entry's traffic at scale 1 (and so of all
	// dossiers). A unit's share comes out of its province's, when the province has one.
	Share *Percent `yaml:"share,omitempty"`
	// OnlineRatio multiplies load.channels.online in this area: 0.75 files a quarter
	// fewer of its dossiers online, and as many more at the counter (default 1).
	OnlineRatio *float64 `yaml:"online_ratio,omitempty" range:"[0,10]"`
}

var provinceCodeRe = regexp.MustCompile(`^\d{2}$`)

// AreaKind says whether code names a province ("01") or a unit ("31078"), and whether
// it exists: ok is false for a code of neither.
func AreaKind(code string) (province string, unit bool, ok bool) {
	switch {
	case provinceCodeRe.MatchString(code):
		for _, p := range units.Provinces() {
			if p.Code == code {
				return code, false, true
			}
		}
	case unitCodeRe.MatchString(code):
		if u, found := units.Lookup(code); found {
			return u.ProvinceCode, true, true
		}
	}
	return "", false, false
}

// validateAreas checks load.population.areas: known codes, shares that fit in their
// province and in the nation, and online ratios that keep every area's online share
// within 100 %.
func (p *Population) validateAreas(channels *Channels) []problem {
	var ps []problem
	add := func(field, format string, args ...any) { ps = append(ps, problemf(field, format, args...)) }
	national := 0.0
	inProvince := map[string]float64{} // province code → its units' own shares
	for _, code := range sortedKeys(p.Areas) {
		a, f := p.Areas[code], "load.population.areas."+code
		province, unit, ok := AreaKind(code)
		switch {
		case !ok:
			add(f, "no province (two digits) or commune-level unit (five digits) has code %q (see units/)", code)
			continue
		case a.Share == nil && a.OnlineRatio == nil:
			add(f, "empty: give share, online_ratio or both")
		}
		if a.OnlineRatio != nil && channels != nil {
			if peak := channels.MaxOnline(); *a.OnlineRatio*peak > 1 {
				add(f+".online_ratio", "%s × the highest online share (%s) is over 100%%", formatNumber(*a.OnlineRatio), roundedPercent(peak))
			}
		}
		if a.Share == nil {
			continue
		}
		switch _, listed := p.Areas[province]; {
		case unit && listed:
			inProvince[province] += float64(*a.Share)
		default:
			national += float64(*a.Share)
		}
	}
	for _, code := range sortedKeys(inProvince) {
		if s := p.Areas[code].Share; s != nil && inProvince[code] > float64(*s)+1e-9 {
			add("load.population.areas."+code+".share", "is %s, less than its units' own shares (%s)", roundedPercent(float64(*s)), roundedPercent(inProvince[code]))
		}
	}
	if national > 1+1e-9 {
		add("load.population.areas", "shares add up to %s, over 100%%", roundedPercent(national))
	}
	return ps
}

// roundedPercent writes a share for a message, without the float's last-digit noise.
func roundedPercent(v float64) string { return strconv.FormatFloat(100*v, 'g', 6, 64) + "%" }

// Province is one of the 34 provinces as the reference data (units) names it.
type Province struct{ Code, Name string }

// Provinces are the 34 provinces in the reference data's order, for the reports, which
// read no reference data of their own.
func Provinces() []Province {
	ps := units.Provinces()
	out := make([]Province, len(ps))
	for i, p := range ps {
		out[i] = Province{Code: p.Code, Name: p.Name}
	}
	return out
}
