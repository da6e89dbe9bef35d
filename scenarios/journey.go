package scenarios

import "time"

// Journey is a journey as the plan counts it: the steps one virtual user walks through,
// each its own request class. Its steps and what they send are a YAML journey's
// (JourneySpec): a scenario's own, or a built-in one.
type Journey struct {
	Name  string
	Steps []JourneyStep
	Doc   string
	// Channel is how the journey's dossiers are filed (ChannelNames); "" for a journey
	// that files none. With load.channels, its curve follows that channel's share.
	Channel string
}

// JourneyStep is one step as the plan counts it: Share of the journeys take it (a fee
// is paid on some dossiers only), Repeat times (a status is polled).
type JourneyStep struct {
	Name   string
	Share  float64
	Repeat int
	// Think is the wall time before the step when the journey says (a YAML journey's
	// think:); 0: the mix entry's think.
	Think time.Duration
}

// Journeys are the built-in journeys a mix can name beside a scenario's own: the YAML
// files of scenarios/journeys/ (builtin_journeys.go), walked as any YAML journey is.
var Journeys = builtinJourneys()

// FindJourney returns the journey of that name, or false.
func FindJourney(name string) (Journey, bool) {
	for _, j := range Journeys {
		if j.Name == name {
			return j, true
		}
	}
	return Journey{}, false
}

// Step returns the journey's step of that name, or false.
func (j Journey) Step(name string) (JourneyStep, bool) {
	for _, st := range j.Steps {
		if st.Name == name {
			return st, true
		}
	}
	return JourneyStep{}, false
}

// StepClass is the request class of a journey step in metrics and SLOs: "<entry>.<step>".
func StepClass(entry, step string) string { return entry + "." + step }

// journeyNames are the journeys a mix of s can name: its own, then the built-in ones.
func (s *Scenario) journeyNames() []string {
	var names []string
	for _, j := range s.Journeys {
		names = append(names, j.Name)
	}
	for _, j := range Journeys {
		names = append(names, j.Name)
	}
	return names
}

// hasChecks says whether a journey step of the mix checks its answers: in class, or in
// any class when class is "".
func (s *Scenario) hasChecks(class string) bool {
	for _, m := range s.Mix {
		spec, _, ok := s.JourneySpecOf(m.Journey)
		if m.Journey == "" || !ok {
			continue
		}
		for _, st := range spec.Steps {
			if st.Check != nil && (class == "" || class == StepClass(m.EntryName(), st.Name)) {
				return true
			}
		}
	}
	return false
}
