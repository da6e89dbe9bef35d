package load

import (
	"fmt"
)

// What the built-in journeys (scenarios/journeys/*.yaml) draw on about citizens, as
// their ref.* and vu.* variables (scripted.go's fill).

// citizen is the personal ID of the citizen walking arrival w: one of the population's
// citizens, else a set-up user.
func (w *walk) citizen() string {
	ids := w.x.env.setup.Citizens
	if len(ids) == 0 {
		if len(w.x.env.setup.Users) == 0 {
			return "001095000001"
		}
		return w.x.env.setup.Users[w.pick(2)%uint64(len(w.x.env.setup.Users))].ID
	}
	return ids[w.pick(2)%uint64(len(ids))]
}

func (w *walk) searchTerm(k uint64) string {
	return searchTerms[w.pick(k)%uint64(len(searchTerms))]
}

// idempotencyKey is the same for the same seed, flow and arrival: a retried run files
// no duplicates, another seed files new dossiers.
func (w *walk) idempotencyKey() string {
	return fmt.Sprintf("j%d-%s-%d", w.x.env.seed, w.f.Name, w.n)
}

// procedure picks the procedure of a dossier, one with a fee when pays; "" when the
// portal's catalogue gave none.
func (w *walk) procedure(pays bool) (string, bool) {
	procs := w.x.env.setup.FreeProcedures
	if pays {
		procs = w.x.env.setup.FeeProcedures
	}
	if len(procs) == 0 {
		procs = w.x.env.setup.Procedures
	}
	if len(procs) == 0 {
		return "", false
	}
	return procs[w.pick(5)%uint64(len(procs))], true
}

// otherCitizen is a citizen other than id (the deceased of a death bundle).
func (w *walk) otherCitizen(id string) string {
	ids := w.x.env.setup.Citizens
	for k := uint64(8); k < 16 && len(ids) > 1; k++ {
		if c := ids[w.pick(k)%uint64(len(ids))]; c != id {
			return c
		}
	}
	return id
}
