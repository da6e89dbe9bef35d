package fault

import "time"

// ramp makes t move linearly to the value to (in its toxic's unit; text for the
// journal) across span. The custom toxics compute the value from the time since they
// were added, so a ramp needs no updates while it runs.
func ramp(t toxic, to int64, text string, span time.Duration) {
	t.attrs["ramp_to"] = to
	t.attrs["ramp_ms"] = span.Milliseconds()
	t.params["ramp_to"] = text
}
