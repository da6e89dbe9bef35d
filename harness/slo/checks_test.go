package slo

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/scenarios"
)

// The checks objective judges the share of a class's answers whose checks held, per
// window: a window where one answer in a hundred failed its checks misses 99.5 %, one
// without failures holds, and 503s (availability's to count) are not its business.
func TestChecksObjective(t *testing.T) {
	held := window(0, "j.open", 100, 200, 10*time.Millisecond)
	failed := window(1, "j.open", 100, 200, 10*time.Millisecond)
	failed.ChecksFailed = 1
	unanswered := window(2, "j.open", 100, 503, 10*time.Millisecond)
	obj := scenarios.Objective{Name: "checks", Kind: scenarios.KindChecks, Class: "j.open", Target: pct(0.995)}
	v := Evaluate(scenarios.SLOs{Window: scenarios.Duration{Duration: time.Minute}, MinRequests: 10, Objectives: []scenarios.Objective{obj}},
		record(held, failed, unanswered))
	o := v.Objectives[0]
	assert.Equal(t, StatusFailed, o.Status)
	assert.Equal(t, 2, o.Evaluated, "the window of 503s had no answers to judge")
	require.Len(t, o.Failed, 1)
	assert.Equal(t, 1, o.Failed[0].Index)
	assert.InDelta(t, 99, o.Failed[0].Value, 1e-9)
	assert.Equal(t, "checks held ≥ 99.5%", o.Objective)
	assert.True(t, math.IsNaN(unanswered.ChecksHeld()))
}
