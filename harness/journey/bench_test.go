package journey

import "testing"

// A templated step's per-request cost beside a static one's: the URL, two headers and
// a JSON body, with variables, a capture and a function (docs/performance.md).
func BenchmarkStaticStep(b *testing.B)    { benchStep(b, false) }
func BenchmarkTemplatedStep(b *testing.B) { benchStep(b, true) }

func benchStep(b *testing.B, templated bool) {
	scope, v := testScope()
	src := []string{"/ho-so/HS-000001/tep?u=001095000001", "Bearer 0123456789abcdef", "00004",
		`{"don_vi":"00004","nguoi_nop":{"so_dinh_danh":"001095000001"},"ma":"HS-000001"}`}
	if templated {
		src = []string{"/ho-so/{{ case_id }}/tep?u={{ vu.id }}", "Bearer {{ data.name }}", "{{ vu.commune }}",
			`{"don_vi":"{{ vu.commune }}","nguoi_nop":{"so_dinh_danh":"{{ vu.id }}"},"ma":"{{ int 1 999999 }}"}`}
	}
	esc := []Escape{URL, Raw, Raw, Raw}
	tpls := make([]*Template, len(src))
	for i, s := range src {
		var err error
		if tpls[i], err = Compile(s, scope, esc[i]); err != nil {
			b.Fatal(err)
		}
	}
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		buf = buf[:0]
		buf = tpls[0].Append(buf, v)
		_ = tpls[1].String(v)
		_ = tpls[2].String(v)
		buf = tpls[3].Append(buf, v)
	}
}
