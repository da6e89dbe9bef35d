package scenarios

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/thongsuot/thongsuot/harness/clock"
)

// withFaults is the valid scenario with its faults replaced and tiers added.
func withFaults(faults, tiers string) string {
	src := strings.Replace(valid, "  - {at: +5m, for: 2s, link: portal->registry, toxic: latency, latency: 100ms}\n", faults, 1)
	return strings.Replace(src, "slos:", tiers+"slos:", 1)
}

func TestEveryToxicParses(t *testing.T) {
	tests := []struct {
		spec  string
		check func(t *testing.T, f Fault)
	}{
		{"toxic: latency, latency: 100ms, jitter: 10ms", func(t *testing.T, f Fault) { assert.Equal(t, 10*time.Millisecond, f.Jitter.Duration) }},
		{"toxic: bandwidth, bandwidth: 2Mbps, stream: both", func(t *testing.T, f Fault) {
			assert.Equal(t, int64(250), f.Bandwidth.KBps())
			assert.Equal(t, StreamBoth, f.Stream)
		}},
		{"toxic: shared_bandwidth, bandwidth: 2.5MB/s", func(t *testing.T, f Fault) { assert.Equal(t, Bandwidth(20e6), *f.Bandwidth) }},
		{"toxic: slow_close, delay: 1s", func(t *testing.T, f Fault) { assert.Equal(t, time.Second, f.Delay.Duration) }},
		{"toxic: timeout, timeout: 0s", func(t *testing.T, f Fault) { assert.Zero(t, f.Timeout.Duration) }},
		{"toxic: reset_peer", func(t *testing.T, f Fault) { assert.Nil(t, f.Timeout) }},
		{"toxic: slicer, average_size: 64, size_variation: 32, delay: 10ms", func(t *testing.T, f Fault) { assert.Equal(t, ByteSize(32), *f.SizeVariation) }},
		{"toxic: limit_data, bytes: 1KiB, stream: upstream, toxicity: 0.5", func(t *testing.T, f Fault) {
			assert.Equal(t, ByteSize(1024), *f.Bytes)
			assert.Equal(t, 0.5, *f.Toxicity)
		}},
		{"toxic: loss, loss: 2%", func(t *testing.T, f Fault) {
			assert.InDelta(t, 0.02, float64(*f.Loss), 1e-9)
			assert.Equal(t, DefaultRetransmit, f.Retransmit.Duration, "retransmit defaults to TCP's minimum RTO")
		}},
		{"toxic: down, link: remote->portal", func(t *testing.T, f Fault) { assert.Equal(t, "remote->portal", f.Link) }},
		{"toxic: latency, latency: 100ms, ramp: {latency: 2s}", func(t *testing.T, f Fault) { assert.Equal(t, 2*time.Second, f.Ramp.Latency.Duration) }},
		{"toxic: bandwidth, bandwidth: 200Mbps, ramp: {bandwidth: 2Mbps}", func(t *testing.T, f Fault) { assert.Equal(t, Bandwidth(2e6), *f.Ramp.Bandwidth) }},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			spec := tt.spec
			if !strings.Contains(spec, "link:") {
				spec += ", link: portal->registry.population"
			}
			s, err := Parse([]byte(withFaults("  - {at: +5m, for: 2s, "+spec+"}\n", "")), "t.yaml")
			require.NoError(t, err)
			require.Len(t, s.Faults, 1)
			tt.check(t, s.Faults[0])
		})
	}
}

func TestFlapAndScenarioSpans(t *testing.T) {
	src := withFaults(`  - {name: flappy, at: +1m, link: client->portal, toxic: down, flap: {period: 1m scenario, down_for: 0.5s, count: 4}}
`, "")
	s, err := Parse([]byte(src), "t.yaml")
	require.NoError(t, err)
	f := s.Faults[0]
	assert.Equal(t, 4, f.Flap.Count)
	// 3 periods of 1 scenario minute, then 0.5 s wall at 60x (30 s of scenario time).
	assert.Equal(t, 3*time.Minute+30*time.Second, f.ScenarioLength(clock.Clock{Compress: 60}))
}

func TestTiersDefaultAndOverride(t *testing.T) {
	s, err := Parse([]byte(withFaults("", "tiers:\n  remote: {latency: 300ms, bandwidth: 10Mbps, units: 4}\n  urban: {loss: 0, shared_bandwidth: 0}\n")), "t.yaml")
	require.NoError(t, err)
	require.Len(t, s.Tiers, len(Tiers), "every tier is resolved")
	remoteTier := s.Tiers["remote"]
	assert.Equal(t, 300*time.Millisecond, remoteTier.Latency.Duration, "the scenario overrides")
	assert.Equal(t, Bandwidth(10e6), *remoteTier.Bandwidth)
	assert.Equal(t, *DefaultTiers["remote"].Loss, *remoteTier.Loss, "defaults fill the rest")
	assert.Equal(t, *DefaultTiers["rural"].SharedBandwidth, *s.Tiers["rural"].SharedBandwidth)
	assert.Nil(t, s.Tiers["rural"].Bandwidth, "no cap per connection unless asked")
	assert.Equal(t, Bandwidth(20e6*4), s.Tiers["remote"].LinkBandwidth(), "one unit's uplink × the units the link stands for")
	assert.Equal(t, Bandwidth(200e6), s.Tiers["rural"].LinkBandwidth(), "units not set: one")

	fs := s.Tiers["urban"].TierFaults("urban")
	var toxics []string
	for _, f := range fs {
		toxics = append(toxics, f.Toxic)
		assert.Equal(t, "urban->portal", f.Link)
	}
	assert.Equal(t, []string{ToxicLatency}, toxics, "zero bandwidth and loss add no toxic")
	var remote []string
	for _, f := range s.Tiers["remote"].TierFaults("remote") {
		remote = append(remote, f.Toxic)
		if f.Toxic == ToxicSharedBandwidth {
			assert.Equal(t, Bandwidth(80e6), *f.Bandwidth)
		}
	}
	assert.Equal(t, []string{ToxicBandwidth, ToxicSharedBandwidth, ToxicLatency, ToxicLoss}, remote)
}

func TestRichScenarioRoundTrips(t *testing.T) {
	src := withFaults(`  - {at: +1m, link: remote->portal, toxic: down, flap: {period: 1m scenario, down_for: 0.5s, count: 3}}
  - {at: +2m, for: 2s, link: portal->registry.tax, toxic: bandwidth, bandwidth: 200Mbps, ramp: {bandwidth: 2Mbps}, stream: both}
  - {at: +2m, for: 2s, link: urban->portal, toxic: slicer, average_size: 1KiB, size_variation: 100, delay: 5ms}
  - {at: +3m, for: 1s, link: rural->portal, toxic: loss, loss: 1.5%}
`, "tiers:\n  remote: {latency: 600ms, shared_bandwidth: 5Mbps}\n")
	src = strings.Replace(src, "    - {name: p95,", "    - {name: recovers, kind: recovery, max: 2m}\n    - {name: p95,", 1)
	s, err := Parse([]byte(src), "t.yaml")
	require.NoError(t, err)
	out, err := Marshal(s)
	require.NoError(t, err)
	back, err := Parse(out, "scenario.yaml")
	require.NoError(t, err, "%s", out)
	again, err := Marshal(back)
	require.NoError(t, err)
	assert.Equal(t, string(out), string(again))
	assert.Contains(t, string(out), "shared_bandwidth: 5Mbps")
	assert.Equal(t, DefaultRecoveryWindows, back.SLOs.RecoveryWindows)
}

func TestParseBandwidth(t *testing.T) {
	tests := []struct {
		in   string
		want Bandwidth
		ok   bool
	}{
		{"200Mbps", 200e6, true},
		{"20 Mbit/s", 20e6, true},
		{"64kbps", 64e3, true},
		{"1Gbps", 1e9, true},
		{"2.5MB/s", 20e6, true},
		{"500KB/s", 4e6, true},
		{"0", 0, true},
		{"-5Mbps", -5e6, true}, // validation says what is wrong with it
		{"5", 0, false},
		{"5 parsecs", 0, false},
		{"Mbps", 0, false},
		{"5Tbps", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseBandwidth(tt.in)
		if !tt.ok {
			assert.Error(t, err, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
		if tt.want > 0 {
			back, err := ParseBandwidth(got.String())
			require.NoError(t, err)
			assert.Equal(t, got, back, "String reads back")
		}
	}
}

func FuzzBandwidth(f *testing.F) {
	for _, s := range []string{"200Mbps", "2.5MB/s", "0", "-1kbps", "1e3Gbit/s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParseBandwidth(s)
		if err != nil || b <= 0 {
			return
		}
		back, err := ParseBandwidth(b.String())
		require.NoError(t, err, "%q → %s", s, b)
		assert.InEpsilon(t, float64(b), float64(back), 1e-9)
	})
}

func TestProcessFaults(t *testing.T) {
	tests := []struct {
		spec  string
		field string // "" when valid
		msg   string
	}{
		{"{at: +5m, for: 2s, role: portal, action: kill}", "", ""},
		{"{at: +5m, role: registry, action: restart}", "", ""},
		{"{at: +5m, role: identity, action: pause, flap: {period: 1m scenario, down_for: 200ms, count: 3}}", "", ""},
		{"{at: +5m, for: 2s, role: portal, action: explode}", "faults[0].action", `unknown action "explode"`},
		{"{at: +5m, for: 2s, role: bank, action: kill}", "faults[0].role", `unknown role "bank"`},
		{"{at: +5m, for: 2s, role: portal, action: kill, link: client->portal, toxic: down}", "faults[0]", "not both"},
		{"{at: +5m, for: 2s, role: portal, action: restart}", "faults[0].for", "a restart has no duration"},
		{"{at: +5m, for: 2s, role: portal, action: stop, latency: 1s}", "faults[0].latency", "a stop of a role takes no latency"},
		{"{at: +5m, role: portal, action: kill}", "faults[0].for", "must be a positive duration"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			s, err := Parse([]byte(withFaults("  - "+tt.spec+"\n", "")), "t.yaml")
			if tt.field == "" {
				require.NoError(t, err)
				assert.NotEmpty(t, s.Faults[0].Name)
				assert.Contains(t, s.Faults[0].Name, s.Faults[0].Role)
				return
			}
			require.Error(t, err)
			es := err.(Errors)
			require.Len(t, es, 1, "%v", err)
			assert.Equal(t, tt.field, es[0].Field)
			assert.Contains(t, es[0].Msg, tt.msg)
		})
	}
}
