package harness

import (
	"context"
	"io"
	"time"

	"github.com/thongsuot/thongsuot/harness/load"
	"github.com/thongsuot/thongsuot/harness/metrics"
)

// progressEvery is how often a progress line is printed.
const progressEvery = 2 * time.Second

// progress prints, until ctx ends, where the run is on both clocks and how the load is
// doing against the plan.
func progress(ctx context.Context, w io.Writer, start time.Time, plan *load.Plan, rec *metrics.Recorder) {
	if w == nil {
		return
	}
	t := time.NewTicker(progressEvery)
	defer t.Stop()
	var last metrics.Totals
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			elapsed := now.Sub(start)
			tot := rec.Totals()
			asked := 0.0
			for i := range plan.Classes {
				asked += plan.Intended(i, elapsed-progressEvery, elapsed)
			}
			sent := tot.Sent - last.Sent
			errPct := 0.0
			if sent > 0 {
				errPct = 100 * float64(tot.Failed-last.Failed) / float64(sent)
			}
			say(w, "  %5.1fs/%.0fs  %s  sent %d/s (asked %.0f/s)  errors %.1f%%  late %d",
				elapsed.Seconds(), plan.Clock.WallDuration().Seconds(),
				plan.Clock.ToScenario(elapsed).Format("2006-01-02 15:04"),
				int(float64(sent)/progressEvery.Seconds()), asked/progressEvery.Seconds(), errPct, tot.Late)
			last = tot
		}
	}
}
