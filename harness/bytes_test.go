package harness

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/harness/journal"
	"github.com/thongsuot/thongsuot/scenarios"
)

// The bytes the load counts per class, headers included, are the bytes the links
// carried: every request of the run crosses client->portal (the tiers' links lead into
// it) or client->identity, and their meters count what went in each way.
func TestClassBytesAreWhatTheLinksCarried(t *testing.T) {
	if testing.Short() {
		t.Skip("brings the embedded runtime up and sends load")
	}
	s, err := scenarios.Open("smoke")
	require.NoError(t, err)
	s.Faults = nil
	s.Clock.Compress = 240 // five wall seconds
	dir := filepath.Join(t.TempDir(), "run")
	require.NoError(t, Run(context.Background(), s, Options{Dir: dir}))

	rec, err := journal.Read(dir)
	require.NoError(t, err)
	var in, out int64
	tiers := map[string]int64{}
	for _, w := range rec.Windows {
		in += w.BytesIn
		out += w.BytesOut
		for tier, b := range w.TierBytes {
			tiers[tier] += b.In + b.Out
		}
	}
	links := map[string][2]int64{}
	for _, l := range rec.Links {
		b := links[l.Link]
		links[l.Link] = [2]int64{b[0] + l.Up, b[1] + l.Down}
	}
	require.NotEmpty(t, rec.Links, "the embedded runtime meters its links")
	up := links["client->portal"][0] + links["client->identity"][0]
	down := links["client->portal"][1] + links["client->identity"][1]
	require.Positive(t, in)
	require.Positive(t, out)
	assert.InEpsilon(t, up, out, 0.05, "requests: counted per class %d B, links carried %d B", out, up)
	assert.InEpsilon(t, down, in, 0.05, "answers: counted per class %d B, links carried %d B", in, down)
	var tierLinks, identityLinks int64
	for _, tier := range scenarios.Tiers {
		p, id := links[scenarios.TierLink(tier)], links[scenarios.TierIdentityLink(tier)]
		carried := p[0] + p[1] + id[0] + id[1]
		tierLinks += p[0] + p[1]
		identityLinks += id[0] + id[1]
		if carried > 0 {
			assert.InEpsilon(t, carried, tiers[tier], 0.05, "tier %s: counted %d B, its links carried %d B", tier, tiers[tier], carried)
		}
	}
	assert.Positive(t, tierLinks, "the load went over the tiers' links")
	assert.Positive(t, identityLinks, "logins went over the tiers' links to identity")
	provinces := map[string]int64{}
	for _, w := range rec.Windows {
		for code, b := range w.ProvinceBytes {
			provinces[code] += b.In + b.Out
		}
	}
	var inProvinces int64
	for _, n := range provinces {
		inProvinces += n
	}
	assert.Len(t, provinces, 34, "every province's units sent")
	assert.Equal(t, in+out, inProvinces, "every request's bytes counted for its user's province")
	t.Logf("requests %d B (links %d B), answers %d B (links %d B) in %s", out, up, in, down, time.Duration(rec.Run.Windows)*rec.Run.Window)
}
