package fault

import (
	"fmt"

	"github.com/thongsuot/thongsuot/scenarios"
)

// Standing puts a link tier's standing condition (bandwidth, latency, jitter, loss) on
// its link for the whole run: toxics named "tier-<toxic>", never removed. Faults on the
// link add their own toxics on top.
func Standing(tier string, t scenarios.Tier, p Proxy) error {
	l := &link{Proxy: p}
	for _, f := range t.TierFaults(tier) {
		eff, err := newEffect("tier-"+f.Toxic, f, l, 0)
		if err == nil {
			err = eff.apply()
		}
		if err != nil {
			return fmt.Errorf("tier %s: %w", tier, err)
		}
	}
	return nil
}
