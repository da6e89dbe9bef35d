package load

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// portalCert is a certificate for name only (no IP), signed by a CA of its own, whose
// PEM it returns.
func portalCert(t *testing.T, name string) (tls.Certificate, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "npsp test CA"}, IsCA: true,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &key.PublicKey, key)
	require.NoError(t, err)
	caCert, err := x509.ParseCertificate(caDER)
	require.NoError(t, err)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: name}, DNSNames: []string{name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, key)
	require.NoError(t, err)
	return tls.Certificate{Certificate: [][]byte{leafDER}, PrivateKey: key}, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
}

// Through a local proxy's address, the client (and a sender's) speaks to the system its URL names: the
// TLS server name and the Host header are the system's, checked against the CA file
// the scenario gives.
func TestReachNamesTheSystemBehindAProxy(t *testing.T) {
	cert, caPEM := portalCert(t, "portal.npsp.test")
	var host string
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host = r.Host
		io.WriteString(w, "ok")
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "https://") // stands for the proxy in front of the portal
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(caFile, caPEM, 0o644))
	roots, err := RootsWith(caFile)
	require.NoError(t, err)

	tests := []struct {
		name  string
		reach Reach
		err   string
	}{
		{"named, with the CA", Reach{Names: map[string]string{addr: "portal.npsp.test"}, RootCAs: roots}, ""},
		{"unnamed: the certificate is not for the proxy's address", Reach{RootCAs: roots}, "certificate"},
		{"named, without the CA", Reach{Names: map[string]string{addr: "portal.npsp.test"}}, "certificate signed by unknown authority"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host = ""
			resp, err := tt.reach.Client(2 * time.Second).Get(srv.URL + "/readyz")
			if tt.err != "" {
				assert.ErrorContains(t, err, tt.err)
			} else {
				require.NoError(t, err)
				resp.Body.Close()
				assert.Equal(t, http.StatusOK, resp.StatusCode)
				assert.Equal(t, "portal.npsp.test", host, "the Host header names the system")
			}

			host = ""
			c := newWorkerClient(tt.reach, 2*time.Second) // a sender's
			defer c.close()
			res := workerHit(t, c, http.MethodGet, srv.URL+"/readyz", nil)
			if tt.err != "" {
				assert.Contains(t, res.Error, tt.err)
				return
			}
			assert.Empty(t, res.Error)
			assert.Equal(t, uint16(http.StatusOK), res.Code)
			assert.Equal(t, "portal.npsp.test", host, "the sender's Host header names the system too")
		})
	}
	_, err = RootsWith(filepath.Join(t.TempDir(), "none.pem"))
	assert.ErrorContains(t, err, "CA file")
}
