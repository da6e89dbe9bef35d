package runtime

// ProxyName is the name of link's proxy on every toxiproxy a runtime starts (and
// `thongsuot up` prints): what a fault controller in another process looks it up by.
func ProxyName(link string) string { return proxyName(link) }
