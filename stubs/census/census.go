// Package census is a deterministic synthetic population: the citizens that the
// identity provider logs in, the registries know about and the load generator
// plays. The same seed and size always give the same people, so a run is
// reproducible and the harness, identity and registries agree without sharing state.
package census

import (
	"fmt"
	"strconv"
	"time"

	"github.com/thongsuot/thongsuot/units"
)

// Citizen is one synthetic person.
type Citizen struct {
	Index        int    `json:"-"`
	PersonalID   string `json:"personal_id"` // 12 digits: province of birth (3), century/sex (1), birth year (2), serial (6)
	FullName     string `json:"full_name"`
	BirthDate    string `json:"birth_date"` // YYYY-MM-DD
	Sex          string `json:"sex"`        // "male" or "female"
	ProvinceCode string `json:"province_code"`
	UnitCode     string `json:"unit_code"` // commune-level unit of permanent residence
	// Level is the VNeID account level: 2 for most; 1 for every citizen whose index
	// i has i%20 == 19 (5 %), who can log in but may not submit dossiers.
	Level int `json:"level"`
}

// serialSpace is the number of distinct 6-digit serials.
const serialSpace = 1_000_000

// Census generates citizens on demand from a seed; it holds no per-citizen state.
type Census struct {
	seed   uint64
	n      int
	a, b   uint64 // serial = (a*(i mod 1e6) + b) mod 1e6, a bijection
	aInv   uint64
	byProv map[string][]int // province code → indexes into units.All()
	provs  []string
}

// New returns a population of `citizens` people generated from seed. Personal IDs
// are unique while citizens ≤ 1,000,000; beyond that two people may share one and
// Lookup returns the one with the lower index.
func New(seed int64, citizens int) *Census {
	if citizens < 0 {
		citizens = 0
	}
	c := &Census{seed: uint64(seed), n: citizens, byProv: map[string][]int{}}
	// a must be coprime with 10^6 (odd and not a multiple of 5) for the serial to be invertible.
	a := mix(c.seed^0xa5a5)%serialSpace | 1
	for a%5 == 0 {
		a += 2
	}
	c.a, c.b = a, mix(c.seed^0x5a5a)%serialSpace
	c.aInv = modInverse(c.a, serialSpace)
	for i, u := range units.All() {
		if _, ok := c.byProv[u.ProvinceCode]; !ok {
			c.provs = append(c.provs, u.ProvinceCode)
		}
		c.byProv[u.ProvinceCode] = append(c.byProv[u.ProvinceCode], i)
	}
	return c
}

// Len is the number of citizens.
func (c *Census) Len() int { return c.n }

// Citizen returns citizen i (0 ≤ i < Len) in O(1). Out of range indexes wrap.
func (c *Census) Citizen(i int) Citizen {
	if c.n == 0 {
		return Citizen{}
	}
	i = ((i % c.n) + c.n) % c.n
	r := rng{state: c.seed ^ uint64(i)*0x9e3779b97f4a7c15}
	r.next()
	prov := c.provs[r.intn(len(c.provs))]
	female := r.intn(2) == 1
	// Ages 0–90, roughly flat with fewer old people.
	age := r.intn(60)
	if r.intn(3) == 0 {
		age = r.intn(91)
	}
	year := 2025 - age
	month, day := 1+r.intn(12), 1+r.intn(28)
	century := 0 // 1900s male; +1 female; 2000s +2
	if year >= 2000 {
		century = 2
	}
	if female {
		century++
	}
	resProv := prov
	if r.intn(4) == 0 { // a quarter live outside their province of birth
		resProv = c.provs[r.intn(len(c.provs))]
	}
	unitIdx := c.byProv[resProv][r.intn(len(c.byProv[resProv]))]
	serial := (c.a*uint64(i%serialSpace) + c.b) % serialSpace
	sex := "male"
	if female {
		sex = "female"
	}
	level := 2
	if i%20 == 19 {
		level = 1
	}
	return Citizen{
		Index:        i,
		PersonalID:   fmt.Sprintf("0%s%d%02d%06d", prov, century, year%100, serial),
		FullName:     name(&r, female),
		BirthDate:    time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC).Format(time.DateOnly),
		Sex:          sex,
		ProvinceCode: prov,
		UnitCode:     units.All()[unitIdx].Code,
		Level:        level,
	}
}

// Lookup finds a citizen by personal ID. It inverts the serial, so it costs
// O(Len/1,000,000) generations and no memory.
func (c *Census) Lookup(personalID string) (Citizen, bool) {
	if len(personalID) != 12 || c.n == 0 {
		return Citizen{}, false
	}
	s, err := strconv.ParseUint(personalID[6:], 10, 64)
	if err != nil {
		return Citizen{}, false
	}
	x := (c.aInv * ((s + serialSpace - c.b) % serialSpace)) % serialSpace
	for i := int(x); i < c.n; i += serialSpace {
		if cz := c.Citizen(i); cz.PersonalID == personalID {
			return cz, true
		}
	}
	return Citizen{}, false
}

// Password is the citizen's deterministic password, for identity servers that
// check passwords (identity.Config.CheckPasswords); by default any non-empty one works.
func (c *Census) Password(personalID string) string {
	return fmt.Sprintf("vneid-%08x", mix(c.seed^mustUint(personalID))&0xffffffff)
}

func mustUint(s string) uint64 {
	v, _ := strconv.ParseUint(s, 10, 64)
	return v
}

func modInverse(a, m uint64) uint64 {
	// Extended Euclid on signed values; a and m are coprime by construction.
	t, newT := int64(0), int64(1)
	r, newR := int64(m), int64(a)
	for newR != 0 {
		q := r / newR
		t, newT = newT, t-q*newT
		r, newR = newR, r-q*newR
	}
	if t < 0 {
		t += int64(m)
	}
	return uint64(t)
}
