package fault

import (
	"strconv"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2/client"

	"github.com/thongsuot/thongsuot/scenarios"
)

// limitData closes each connection after bytes bytes on the stream.
func limitData(f scenarios.Fault, _ time.Duration) toxic {
	return toxic{typ: "limit_data", attrs: toxiproxy.Attributes{"bytes": int64(*f.Bytes)},
		params: map[string]string{"bytes": strconv.FormatInt(int64(*f.Bytes), 10)}}
}
