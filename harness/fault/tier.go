package fault

import (
	"fmt"

	"github.com/thongsuot/thongsuot/scenarios"
)

// Standing puts a link tier's standing condition (bandwidth, latency, jitter, loss) on
// its link for the whole run: toxics named "tier-<toxic>", never removed. Faults on the
// link add their own toxics on top.
func Standing(tier string, t scenarios.Tier, p Proxy) error {
	for _, f := range t.TierFaults(tier) {
		if _, err := Apply("tier-"+f.Toxic, f, p); err != nil {
			return fmt.Errorf("tier %s: %w", tier, err)
		}
	}
	return nil
}
