package portal

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/thongsuot/thongsuot/stubs/jsonapi"
)

// queryInt reads an integer query parameter within [lo, hi], or def when absent.
// Lists are always bounded: a client cannot ask for the whole store in one page.
func queryInt(r *http.Request, name string, def, lo, hi int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, &jsonapi.StatusError{Code: http.StatusBadRequest, Msg: fmt.Sprintf("%s must be a whole number from %d to %d", name, lo, hi)}
	}
	return n, nil
}
