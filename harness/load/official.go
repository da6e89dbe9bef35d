package load

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
)

// officialsPerUnit is how many one-door officials each unit has accounts for; the
// identity stub accepts cb.<unit>.<n> for n in 1…20.
const officialsPerUnit = 5

func init() {
	walks["official-queue"] = officialQueue
	walks["official-counter"] = officialCounter
}

// officialQueue: an official of a unit that recently received dossiers (else a unit
// drawn by weight) signs in, reads the one-door queue, opens one of the oldest
// dossiers, accepts it and completes it. An empty queue ends the session early.
func officialQueue(w *walk) {
	unit := w.unitCode()
	if code, ok := w.x.recent.pick(w.pick(3)); ok && w.setUnit(code, w.f.Tier) {
		unit = code
	}
	if !w.login(fmt.Sprintf("cb.%s.%d", unit, 1+w.pick(4)%officialsPerUnit)) {
		return
	}
	var queue struct {
		Dossiers []struct {
			ID string `json:"id"`
		} `json:"dossiers"`
	}
	if !w.get("queue", "/api/v1/officials/queue?limit=5", &queue) || len(queue.Dossiers) == 0 {
		return
	}
	// One of the five oldest: officials of one unit rarely take the same dossier.
	id := url.PathEscape(queue.Dossiers[w.pick(5)%uint64(len(queue.Dossiers))].ID)
	if !w.get("open", "/api/v1/dossiers/"+id, nil) {
		return
	}
	if !w.post("accept", "/api/v1/officials/dossiers/"+id+"/accept", map[string]string{"note": "tiếp nhận"}, nil, nil) {
		return
	}
	w.post("complete", "/api/v1/officials/dossiers/"+id+"/complete", map[string]string{"note": "đã giải quyết"}, http.Header{}, nil)
}

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

// officialCounter: a walk-in files at the one-door counter (the counter channel). An
// official of the unit signs in, files the citizen's papers for them and accepts the
// dossier on the spot; working it is the queue's business.
func officialCounter(w *walk) {
	unit := w.unitCode()
	if !w.login(fmt.Sprintf("cb.%s.%d", unit, 1+w.pick(4)%officialsPerUnit)) {
		return
	}
	proc, ok := w.procedure(false)
	if !ok {
		return
	}
	var created struct {
		ID string `json:"id"`
	}
	if !w.post("submit", "/api/v1/dossiers", json.RawMessage(dossierBody(proc, unit, w.citizen())),
		http.Header{"Idempotency-Key": {w.idempotencyKey()}}, &created) || created.ID == "" {
		return
	}
	w.post("accept", "/api/v1/officials/dossiers/"+url.PathEscape(created.ID)+"/accept", map[string]string{"note": "tiếp nhận tại quầy"}, nil, nil)
}
