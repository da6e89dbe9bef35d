package fault

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2/client"

	"github.com/thongsuot/thongsuot/scenarios"
)

// toxic is what a scenario toxic becomes in toxiproxy: a toxic type and its attributes,
// and the parameters to journal.
type toxic struct {
	typ    string
	attrs  toxiproxy.Attributes
	params map[string]string
}

// builder turns a fault into its toxiproxy toxic. span is the wall length of the
// window, for ramps. Each scenario toxic has one, in its own file.
type builder func(f scenarios.Fault, span time.Duration) toxic

// builders by scenario toxic (scenarios.Toxics), all but down, which is not a toxic.
var builders = map[string]builder{
	scenarios.ToxicLatency:         latency,
	scenarios.ToxicBandwidth:       bandwidth,
	scenarios.ToxicSharedBandwidth: sharedBandwidth,
	scenarios.ToxicSlowClose:       slowClose,
	scenarios.ToxicTimeout:         timeout,
	scenarios.ToxicResetPeer:       resetPeer,
	scenarios.ToxicSlicer:          slicer,
	scenarios.ToxicLimitData:       limitData,
	scenarios.ToxicLoss:            loss,
}

// effect is one fault made concrete on its link: how to apply it and take it away.
type effect struct {
	apply, remove func() error
	params        map[string]string
}

// newEffect builds the effect of f on l, its toxics named after name.
func newEffect(name string, f scenarios.Fault, l *link, span time.Duration) (effect, error) {
	if f.Toxic == scenarios.ToxicDown {
		return down(l), nil
	}
	build, ok := builders[f.Toxic]
	if !ok {
		return effect{}, fmt.Errorf("toxic %q is not supported", f.Toxic)
	}
	t := build(f, span)
	streams := []string{f.Stream}
	if f.Stream == scenarios.StreamBoth {
		streams = []string{scenarios.StreamUpstream, scenarios.StreamDownstream}
	}
	toxicity := 1.0
	if f.Toxicity != nil {
		toxicity = *f.Toxicity
	}
	t.params["stream"] = f.Stream
	t.params["toxicity"] = strconv.FormatFloat(toxicity, 'g', -1, 64)
	named := func(stream string) string {
		if len(streams) == 1 {
			return name
		}
		return name + "-" + stream
	}
	return effect{
		apply: func() error {
			for i, s := range streams {
				if _, err := l.AddToxic(named(s), t.typ, s, float32(toxicity), t.attrs); err != nil {
					// Half a fault is no fault: take back what went on.
					for _, done := range streams[:i] {
						err = errors.Join(err, l.RemoveToxic(named(done)))
					}
					return fmt.Errorf("adding %s toxic: %w", t.typ, err)
				}
			}
			return nil
		},
		remove: func() error {
			var errs []error
			for _, s := range streams {
				if err := l.RemoveToxic(named(s)); err != nil {
					errs = append(errs, fmt.Errorf("removing %s toxic: %w", t.typ, err))
				}
			}
			return errors.Join(errs...)
		},
		params: t.params,
	}, nil
}

// Params are the parameters a fault is journalled with, as the schedule will apply it
// over a window of span (wall time): what a plan lists before the run.
func Params(f scenarios.Fault, span time.Duration) map[string]string {
	if f.IsKnob() {
		return knobParams(f)
	}
	if f.Role != "" {
		return processParams(f)
	}
	eff, err := newEffect("", f, &link{}, span)
	if err != nil {
		return nil
	}
	unitsParam(f, eff.params)
	return eff.params
}

// Apply puts f on p at once, with no schedule and no journal (tests, standing toxics,
// poking by hand); remove takes it away. A ramp runs over f.For.
func Apply(name string, f scenarios.Fault, p Proxy) (remove func() error, err error) {
	eff, err := newEffect(name, f, &link{Proxy: p}, f.For.D)
	if err != nil {
		return nil, err
	}
	if err := eff.apply(); err != nil {
		return nil, err
	}
	return eff.remove, nil
}

// durationToxic is a toxiproxy toxic whose one attribute is a duration in ms.
func durationToxic(typ, attr string, d *scenarios.Duration) toxic {
	t := toxic{typ: typ, attrs: toxiproxy.Attributes{attr: millis(d)}, params: map[string]string{}}
	if d != nil {
		t.params[attr] = d.String()
	}
	return t
}

// millis is a duration in toxiproxy's unit.
func millis(d *scenarios.Duration) int64 {
	if d == nil {
		return 0
	}
	return d.Milliseconds()
}
