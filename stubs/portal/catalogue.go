package portal

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/thongsuot/thongsuot/stubs/jsonapi"
)

// Procedure is one administrative procedure (thủ tục hành chính) in the catalogue.
// Codes follow the national procedure database's "N.NNNNNN" shape but are
// illustrative; the two bundle codes are the portal's own.
type Procedure struct {
	Code    string   `json:"code"`
	Name    string   `json:"name"`
	NameEN  string   `json:"name_en"`
	Level   string   `json:"level"`                // "commune" or "province": who decides it after 1 July 2025
	FromLvl string   `json:"moved_from,omitempty"` // "district" for procedures the reform moved down
	Field   string   `json:"field"`                // domain: civil status, residence, …
	FeeVND  int64    `json:"fee_vnd"`              // fee paid online
	Days    int      `json:"processing_days"`      // statutory processing time in working days
	Bundle  bool     `json:"bundle,omitempty"`     // a linked-procedure bundle: submit via /api/v1/bundles
	Steps   []string `json:"steps,omitempty"`      // for bundles: the procedures it links
	search  string
}

// Bundle procedure codes.
const (
	BundleBirth = "LT.KS-TT-BHYT" // birth + permanent residence + health-insurance card (child under 6)
	BundleDeath = "LT.KT-XTT-MT"  // death + removal of residence + funeral allowance
)

var procedures = []Procedure{
	{Code: "1.001193", Name: "Đăng ký khai sinh", NameEN: "Birth registration", Level: "commune", Field: "hộ tịch", Days: 1},
	{Code: "1.000656", Name: "Đăng ký khai tử", NameEN: "Death registration", Level: "commune", Field: "hộ tịch", Days: 1},
	{Code: "1.000894", Name: "Đăng ký kết hôn", NameEN: "Marriage registration", Level: "commune", Field: "hộ tịch", Days: 1},
	{Code: "1.004873", Name: "Cấp Giấy xác nhận tình trạng hôn nhân", NameEN: "Certificate of marital status", Level: "commune", Field: "hộ tịch", FeeVND: 15000, Days: 3},
	{Code: "1.001022", Name: "Đăng ký nhận cha, mẹ, con", NameEN: "Recognition of parent and child", Level: "commune", Field: "hộ tịch", FeeVND: 15000, Days: 3},
	{Code: "1.004884", Name: "Đăng ký lại khai sinh", NameEN: "Re-registration of birth", Level: "commune", Field: "hộ tịch", FeeVND: 5000, Days: 5},
	{Code: "2.000635", Name: "Cấp bản sao Trích lục hộ tịch", NameEN: "Copy of civil status extract", Level: "commune", Field: "hộ tịch", FeeVND: 8000, Days: 1},
	{Code: "1.004859", Name: "Thay đổi, cải chính, bổ sung thông tin hộ tịch", NameEN: "Change or correction of civil status information", Level: "commune", FromLvl: "district", Field: "hộ tịch", FeeVND: 28000, Days: 3},
	{Code: "1.001695", Name: "Đăng ký khai sinh có yếu tố nước ngoài", NameEN: "Birth registration with a foreign element", Level: "commune", FromLvl: "district", Field: "hộ tịch", FeeVND: 75000, Days: 3},
	{Code: "1.000893", Name: "Đăng ký kết hôn có yếu tố nước ngoài", NameEN: "Marriage registration with a foreign element", Level: "commune", FromLvl: "district", Field: "hộ tịch", FeeVND: 1000000, Days: 10},
	{Code: "1.004194", Name: "Đăng ký thường trú", NameEN: "Permanent residence registration", Level: "commune", Field: "cư trú", FeeVND: 10000, Days: 7},
	{Code: "1.004222", Name: "Đăng ký tạm trú", NameEN: "Temporary residence registration", Level: "commune", Field: "cư trú", FeeVND: 7000, Days: 3},
	{Code: "1.004206", Name: "Xóa đăng ký thường trú", NameEN: "Removal of permanent residence", Level: "commune", Field: "cư trú", Days: 1},
	{Code: "1.004217", Name: "Khai báo tạm vắng", NameEN: "Declaration of temporary absence", Level: "commune", Field: "cư trú", Days: 1},
	{Code: "1.010804", Name: "Cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi", NameEN: "Health-insurance card for a child under 6", Level: "commune", Field: "bảo hiểm y tế", Days: 5},
	{Code: "1.011638", Name: "Cấp lại, đổi thẻ bảo hiểm y tế", NameEN: "Reissue or exchange of a health-insurance card", Level: "commune", Field: "bảo hiểm y tế", Days: 3},
	{Code: "1.000027", Name: "Giải quyết trợ cấp mai táng phí", NameEN: "Funeral allowance", Level: "commune", Field: "bảo hiểm xã hội", Days: 5},
	{Code: "1.001776", Name: "Chứng thực bản sao từ bản chính", NameEN: "Certified copy from the original", Level: "commune", Field: "chứng thực", FeeVND: 2000, Days: 1},
	{Code: "2.000815", Name: "Chứng thực chữ ký trong giấy tờ, văn bản", NameEN: "Certification of a signature", Level: "commune", Field: "chứng thực", FeeVND: 10000, Days: 1},
	{Code: "2.000913", Name: "Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản", NameEN: "Certification of a contract on movable property", Level: "commune", FromLvl: "district", Field: "chứng thực", FeeVND: 50000, Days: 2},
	{Code: "2.000528", Name: "Đăng ký thành lập hộ kinh doanh", NameEN: "Household business registration", Level: "commune", FromLvl: "district", Field: "kinh doanh", FeeVND: 50000, Days: 3},
	{Code: "1.001266", Name: "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh", NameEN: "Change of household business registration", Level: "commune", FromLvl: "district", Field: "kinh doanh", FeeVND: 50000, Days: 3},
	{Code: "2.000720", Name: "Cấp Giấy phép bán lẻ sản phẩm rượu", NameEN: "Licence to retail alcohol", Level: "commune", FromLvl: "district", Field: "thương mại", FeeVND: 600000, Days: 10},
	{Code: "1.003003", Name: "Đăng ký đất đai, cấp Giấy chứng nhận quyền sử dụng đất lần đầu", NameEN: "First land registration and land-use certificate", Level: "commune", FromLvl: "district", Field: "đất đai", FeeVND: 100000, Days: 20},
	{Code: "1.004227", Name: "Đăng ký biến động đất đai, tài sản gắn liền với đất", NameEN: "Registration of changes to land and attached assets", Level: "commune", FromLvl: "district", Field: "đất đai", FeeVND: 50000, Days: 10},
	{Code: "1.009994", Name: "Cấp giấy phép xây dựng nhà ở riêng lẻ", NameEN: "Building permit for a detached house", Level: "commune", FromLvl: "district", Field: "xây dựng", FeeVND: 75000, Days: 15},
	{Code: "1.001758", Name: "Công nhận hộ nghèo, hộ cận nghèo", NameEN: "Recognition of a poor or near-poor household", Level: "commune", Field: "bảo trợ xã hội", Days: 7},
	{Code: "1.001731", Name: "Trợ cấp xã hội hằng tháng", NameEN: "Monthly social allowance", Level: "commune", FromLvl: "district", Field: "bảo trợ xã hội", Days: 10},
	{Code: "2.001225", Name: "Đăng ký khai sinh cho trẻ bị bỏ rơi", NameEN: "Birth registration of an abandoned child", Level: "commune", Field: "hộ tịch", Days: 5},
	{Code: "1.010025", Name: "Xác nhận thông tin về cư trú", NameEN: "Confirmation of residence information", Level: "commune", Field: "cư trú", Days: 1},
	{Code: "2.000488", Name: "Cấp Phiếu lý lịch tư pháp", NameEN: "Judicial record certificate", Level: "province", Field: "lý lịch tư pháp", FeeVND: 200000, Days: 10},
	{Code: "1.001612", Name: "Đăng ký thành lập doanh nghiệp tư nhân", NameEN: "Registration of a private enterprise", Level: "province", Field: "doanh nghiệp", FeeVND: 50000, Days: 3},
	{Code: "1.002809", Name: "Đổi giấy phép lái xe do ngành Giao thông vận tải cấp", NameEN: "Exchange of a driving licence", Level: "province", Field: "giao thông", FeeVND: 115000, Days: 5},
	{Code: "1.005412", Name: "Cấp giấy phép lao động cho người nước ngoài", NameEN: "Work permit for a foreigner", Level: "province", Field: "lao động", FeeVND: 600000, Days: 10},
	{Code: "2.001940", Name: "Cấp chứng chỉ hành nghề khám bệnh, chữa bệnh", NameEN: "Medical practice certificate", Level: "province", Field: "y tế", FeeVND: 360000, Days: 20},
	{Code: "1.000046", Name: "Đăng ký mã số thuế cá nhân", NameEN: "Personal tax registration", Level: "province", Field: "thuế", Days: 3},
	{Code: BundleBirth, Name: "Liên thông: Đăng ký khai sinh – Đăng ký thường trú – Cấp thẻ BHYT cho trẻ em dưới 6 tuổi", NameEN: "Linked: birth registration, permanent residence, health-insurance card for a child under 6", Level: "commune", Field: "liên thông", Days: 5, Bundle: true, Steps: []string{"1.001193", "1.004194", "1.010804"}},
	{Code: BundleDeath, Name: "Liên thông: Đăng ký khai tử – Xóa đăng ký thường trú – Hưởng mai táng phí", NameEN: "Linked: death registration, removal of residence, funeral allowance", Level: "commune", Field: "liên thông", Days: 5, Bundle: true, Steps: []string{"1.000656", "1.004206", "1.000027"}},
}

var procedureByCode = func() map[string]*Procedure {
	m := map[string]*Procedure{}
	for i := range procedures {
		p := &procedures[i]
		p.search = fold(strings.Join([]string{p.Code, p.Name, p.NameEN, p.Field, p.Level, p.FromLvl}, " "))
		m[p.Code] = p
	}
	return m
}()

// searchProcedures returns the procedures whose text holds every word of q,
// ignoring case and Vietnamese diacritics ("khai sinh" finds "Đăng ký khai sinh").
func searchProcedures(q, level string) []Procedure {
	words := strings.Fields(fold(q))
	out := []Procedure{}
	for _, p := range procedures {
		if level != "" && p.Level != level {
			continue
		}
		ok := true
		for _, w := range words {
			if !strings.Contains(p.search, w) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, p)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Bundle && !out[j].Bundle })
	return out
}

func (s *Server) handleProcedures(w http.ResponseWriter, r *http.Request) {
	level := r.URL.Query().Get("level")
	if level != "" && level != "commune" && level != "province" {
		jsonapi.Error(w, http.StatusBadRequest, "level must be commune or province")
		return
	}
	q := r.URL.Query().Get("q")
	writeStatic(w, "procedures\x00"+level+"\x00"+q, func() any {
		return map[string]any{"procedures": searchProcedures(q, level)}
	})
}

func (s *Server) handleProcedure(w http.ResponseWriter, r *http.Request) {
	p, ok := procedureByCode[r.PathValue("code")]
	if !ok {
		jsonapi.Error(w, http.StatusNotFound, "no procedure with that code")
		return
	}
	writeStatic(w, "procedure\x00"+p.Code, func() any { return p })
}

// staticAnswers holds encoded answers about the catalogue and the units, which
// never change while the process runs: the surge of 1 July was lookups, and a
// lookup should cost a map read, not a search and a JSON encoding.
// At most 1,024 answers of at most 64 KiB are kept (64 MiB), since the keys come
// from clients' queries.
var staticAnswers = newExpiring[[]byte](1024)

var forever = time.Now().AddDate(100, 0, 0)

func writeStatic(w http.ResponseWriter, key string, build func() any) {
	body, ok := staticAnswers.get(key, time.Now())
	if !ok {
		var err error
		if body, err = json.Marshal(build()); err != nil {
			jsonapi.Error(w, http.StatusInternalServerError, "encode: "+err.Error())
			return
		}
		body = append(body, '\n')
		if len(body) <= 64<<10 {
			staticAnswers.put(key, body, forever)
		}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(body)
}
