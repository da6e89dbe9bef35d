package portal

import "strings"

// fold lower-cases and strips Vietnamese diacritics so searches work with or
// without them, the way people type on phones.
func fold(s string) string { return folder.Replace(strings.ToLower(s)) }

var folder = func() *strings.Replacer {
	groups := map[string]string{
		"a": "àáảãạăằắẳẵặâầấẩẫậ", "e": "èéẻẽẹêềếểễệ", "i": "ìíỉĩị", "o": "òóỏõọôồốổỗộơờớởỡợ",
		"u": "ùúủũụưừứửữự", "y": "ỳýỷỹỵ", "d": "đ",
	}
	var pairs []string
	for base, accented := range groups {
		for _, r := range accented {
			pairs = append(pairs, string(r), base)
		}
	}
	return strings.NewReplacer(pairs...)
}()
