package journey

import (
	"encoding/hex"
)

// Rand is a walk's random source: splitmix64 from a seed, so that a scenario's seed
// and an arrival's number give the same uuids, numbers and names on every run. Not
// safe for concurrent use; each walk has its own.
type Rand struct{ state uint64 }

// NewRand starts a source at seed.
func NewRand(seed uint64) *Rand { return &Rand{state: seed} }

// Uint64 is the next number.
func (r *Rand) Uint64() uint64 {
	r.state += 0x9e3779b97f4a7c15
	x := r.state
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Intn is in [0, n); n > 0.
func (r *Rand) Intn(n int) int { return int(r.Uint64() % uint64(n)) }

// Between is in [lo, hi].
func (r *Rand) Between(lo, hi int64) int64 {
	span := uint64(hi-lo) + 1
	if span == 0 { // the whole int64 range
		return int64(r.Uint64())
	}
	return lo + int64(r.Uint64()%span)
}

// UUID is a version-4 UUID from the source.
func (r *Rand) UUID() string {
	var b [16]byte
	a, c := r.Uint64(), r.Uint64()
	for i := range 8 {
		b[i], b[8+i] = byte(a>>(8*i)), byte(c>>(8*i))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}

// Name is a Vietnamese full name: family name, middle name, given name.
func (r *Rand) Name() string {
	return familyNames[r.Intn(len(familyNames))] + " " + middleNames[r.Intn(len(middleNames))] + " " + givenNames[r.Intn(len(givenNames))]
}

// The embedded names: the most common family names (Nguyễn alone is about 38 % of the
// population), and common middle and given names.
var (
	familyNames = []string{"Nguyễn", "Nguyễn", "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"}
	middleNames = []string{"Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Gia", "Bảo", "Thu", "Hoàng"}
	givenNames  = []string{"An", "Anh", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Hương", "Khánh", "Lan", "Linh", "Long", "Mai", "Minh", "Nam", "Ngọc", "Phong", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vy"}
)
