package census

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/thongsuot/thongsuot/units"
)

var idPattern = regexp.MustCompile(`^0\d{2}[0-3]\d{8}$`)

func TestCitizensAreDeterministicAndValid(t *testing.T) {
	a, b := New(42, 50_000), New(42, 50_000)
	seen := map[string]bool{}
	level1 := 0
	for i := range 50_000 {
		c := a.Citizen(i)
		require.Equal(t, c, b.Citizen(i))
		require.Regexp(t, idPattern, c.PersonalID)
		require.False(t, seen[c.PersonalID], "duplicate id %s", c.PersonalID)
		seen[c.PersonalID] = true
		u, ok := units.Lookup(c.UnitCode)
		require.True(t, ok)
		require.NotEmpty(t, u.Name)
		require.Equal(t, c.PersonalID[1:3], c.ProvinceCode)
		if c.Level == 1 {
			level1++
			require.Equal(t, 19, i%20)
		}
	}
	assert.Equal(t, 2500, level1)
	assert.NotEqual(t, New(1, 10).Citizen(3), New(2, 10).Citizen(3))
}

func TestIDEncodesSexAndCentury(t *testing.T) {
	c := New(7, 1000)
	for i := range 1000 {
		z := c.Citizen(i)
		d := z.PersonalID[3] - '0'
		assert.Equal(t, z.Sex == "female", d%2 == 1, z.PersonalID)
		assert.Equal(t, z.BirthDate[:2] == "20", d >= 2, z.PersonalID)
		assert.Equal(t, z.BirthDate[2:4], z.PersonalID[4:6])
	}
}

func TestLookup(t *testing.T) {
	c := New(42, 2_500_000)
	tests := []struct {
		name string
		id   string
		want int
		ok   bool
	}{
		{"first", c.Citizen(0).PersonalID, 0, true},
		{"middle", c.Citizen(123_456).PersonalID, 123_456, true},
		{"beyond one million", c.Citizen(2_345_678).PersonalID, -1, true},
		{"short", "0011", 0, false},
		{"letters", "001abc000000", 0, false},
		{"unknown", "099099000000", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := c.Lookup(tt.id)
			require.Equal(t, tt.ok, ok)
			if ok {
				assert.Equal(t, tt.id, got.PersonalID)
				if tt.want >= 0 {
					assert.Equal(t, tt.want, got.Index)
				}
			}
		})
	}
}

func TestPasswordIsStable(t *testing.T) {
	c := New(1, 10)
	id := c.Citizen(3).PersonalID
	assert.Equal(t, c.Password(id), New(1, 10).Password(id))
	assert.NotEqual(t, c.Password(id), New(2, 10).Password(id))
}

func BenchmarkLookup(b *testing.B) {
	c := New(1, 1_000_000)
	id := c.Citizen(777_777).PersonalID
	for b.Loop() {
		c.Lookup(id)
	}
}
