package census

// Family names weighted roughly by their share of the population (Nguyễn ≈ 38 %).
var familyNames = []struct {
	name   string
	weight int
}{
	{"Nguyễn", 38}, {"Trần", 11}, {"Lê", 9}, {"Phạm", 7}, {"Hoàng", 5}, {"Huỳnh", 4},
	{"Phan", 4}, {"Vũ", 4}, {"Võ", 3}, {"Đặng", 2}, {"Bùi", 2}, {"Đỗ", 2},
	{"Hồ", 2}, {"Ngô", 2}, {"Dương", 1}, {"Lý", 1}, {"Đinh", 1}, {"Trương", 1}, {"Lò", 1},
}

var familyTotal = func() int {
	t := 0
	for _, f := range familyNames {
		t += f.weight
	}
	return t
}()

var (
	middleMale   = []string{"Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công", "Xuân", "Gia"}
	middleFemale = []string{"Thị", "Ngọc", "Thu", "Thanh", "Minh", "Hồng", "Kim", "Bảo", "Mai"}
	givenMale    = []string{"Anh", "Bảo", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hùng", "Huy", "Khang", "Khoa", "Long", "Minh", "Nam", "Phong", "Phúc", "Quân", "Quang", "Sơn", "Thắng", "Thành", "Tuấn", "Trung", "Việt", "Vinh"}
	givenFemale  = []string{"An", "Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hoa", "Hương", "Huyền", "Lan", "Linh", "Mai", "My", "Ngân", "Ngọc", "Nhung", "Phương", "Quỳnh", "Thảo", "Trang", "Tuyết", "Vân", "Vy", "Yến"}
)

func name(r *rng, female bool) string {
	k := r.intn(familyTotal)
	family := familyNames[0].name
	for _, f := range familyNames {
		if k < f.weight {
			family = f.name
			break
		}
		k -= f.weight
	}
	middle, given := middleMale, givenMale
	if female {
		middle, given = middleFemale, givenFemale
	}
	return family + " " + middle[r.intn(len(middle))] + " " + given[r.intn(len(given))]
}
