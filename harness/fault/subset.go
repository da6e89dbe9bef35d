package fault

import (
	"errors"
	"fmt"
	"strings"

	toxiproxy "github.com/Shopify/toxiproxy/v2/client"

	"github.com/thongsuot/thongsuot/scenarios"
)

// proxyOf is the proxy fault number i acts on, and the key the schedule shares it
// under: its link's, or for a fault on some units (scenarios.Fault.Units) the links
// of those units, one per tier, driven as one.
func (s *Schedule) proxyOf(i int, f scenarios.Fault) (string, Proxy, error) {
	if len(f.Units) == 0 {
		p, ok := s.Proxies[f.Link]
		if !ok {
			return "", nil, fmt.Errorf("fault %q: the runtime has no link %q", f.Name, f.Link)
		}
		return f.Link, p, nil
	}
	var ps proxies
	for _, t := range f.SubsetTiers() {
		name := scenarios.SubsetLink(t, i)
		p, ok := s.Proxies[name]
		if !ok {
			return "", nil, fmt.Errorf("fault %q: the runtime has no link %q for its units", f.Name, name)
		}
		ps = append(ps, p)
	}
	return fmt.Sprintf("units%d", i), ps, nil
}

// unitsParam is how a fault on some units is journalled: the units it hit.
func unitsParam(f scenarios.Fault, params map[string]string) {
	if len(f.Units) > 0 && params != nil {
		params["units"] = strings.Join(f.Units, " ")
	}
}

// proxies drives several proxies as one: a fault on some units puts its toxic on the
// link of each tier those units reach the portal over.
type proxies []Proxy

func (ps proxies) AddToxic(name, typeName, stream string, toxicity float32, attrs toxiproxy.Attributes) (*toxiproxy.Toxic, error) {
	var last *toxiproxy.Toxic
	for i, p := range ps {
		t, err := p.AddToxic(name, typeName, stream, toxicity, attrs)
		if err != nil {
			for _, done := range ps[:i] {
				err = errors.Join(err, done.RemoveToxic(name))
			}
			return nil, err
		}
		last = t
	}
	return last, nil
}

func (ps proxies) RemoveToxic(name string) error {
	var errs []error
	for _, p := range ps {
		errs = append(errs, p.RemoveToxic(name))
	}
	return errors.Join(errs...)
}

func (ps proxies) Disable() error {
	var errs []error
	for _, p := range ps {
		errs = append(errs, p.Disable())
	}
	return errors.Join(errs...)
}

func (ps proxies) Enable() error {
	var errs []error
	for _, p := range ps {
		errs = append(errs, p.Enable())
	}
	return errors.Join(errs...)
}
