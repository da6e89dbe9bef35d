package fault

import (
	"strconv"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2/client"

	"github.com/thongsuot/thongsuot/scenarios"
)

// slicer cuts the data into pieces of about average_size ± size_variation bytes, with
// delay between them.
func slicer(f scenarios.Fault, _ time.Duration) toxic {
	t := toxic{typ: "slicer", attrs: toxiproxy.Attributes{"average_size": int64(*f.AverageSize)},
		params: map[string]string{"average_size": strconv.FormatInt(int64(*f.AverageSize), 10)}}
	if f.SizeVariation != nil {
		t.attrs["size_variation"] = int64(*f.SizeVariation)
		t.params["size_variation"] = strconv.FormatInt(int64(*f.SizeVariation), 10)
	}
	if f.Delay != nil {
		t.attrs["delay"] = f.Delay.Microseconds() // the slicer counts in microseconds
		t.params["delay"] = f.Delay.String()
	}
	return t
}
