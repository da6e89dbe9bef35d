package load

// officialsPerUnit is how many one-door officials each unit has accounts for; the
// identity stub accepts cb.<unit>.<n> for n in 1…20. The built-in officials' journeys
// sign in as cb.<unit>.<1…officialsPerUnit> (ref.official, ref.recent_official).
const officialsPerUnit = 5

// setUnit moves the walk to the unit with this code (and its tier's URL), unless the
// unit is not on tier ("" = any).
func (w *walk) setUnit(code, tier string) bool {
	i, ok := w.x.pop.index[code]
	if !ok || (tier != "" && w.x.pop.Tiers[i] != tier) {
		return false
	}
	w.unit = i
	w.base = w.x.env.ep.Portal
	if b, ok := w.x.env.ep.unitPortal(w.x.pop, i); ok {
		w.base = b
	}
	return true
}
