package load

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// The abusive classes of abuse.yaml: what an attacker sends at the portal while
// citizens go about their business. Each expects a refusal, which the scenario's codes
// objectives assert; none may cost the legitimate classes their SLOs.
func init() {
	requests["forged-token"] = func(tgt *vegeta.Target, n uint64, e *env) error {
		u := e.user(n)
		readDossier(tgt, e.portal(n), u.Dossier, forgedToken(u.ID))
		return nil
	}
	requests["expired-token"] = func(tgt *vegeta.Target, n uint64, e *env) error {
		u := e.user(n)
		readDossier(tgt, e.portal(n), u.Dossier, expiredToken(u.Token))
		return nil
	}
	requests["enumerate"] = func(tgt *vegeta.Target, n uint64, e *env) error {
		readDossier(tgt, e.portal(n), e.otherUser(n).Dossier, e.user(n).Token)
		return nil
	}
	requests["oversize-upload"] = func(tgt *vegeta.Target, n uint64, e *env) error {
		u := e.user(n)
		tgt.Method, tgt.URL = http.MethodPost, e.portal(n)+"/api/v1/dossiers"
		tgt.Body = oversizeBody
		tgt.Header = http.Header{"Authorization": {"Bearer " + u.Token}, "Content-Type": {"application/json"},
			"Idempotency-Key": {fmt.Sprintf("oversize-%d-%d", e.seed, n)}}
		return nil
	}
}

// readDossier asks for a dossier with a token.
func readDossier(tgt *vegeta.Target, portal, dossier, token string) {
	tgt.Method, tgt.URL = http.MethodGet, portal+"/api/v1/dossiers/"+url.PathEscape(dossier)
	tgt.Header = http.Header{"Authorization": {"Bearer " + token}}
}

// otherUser is a set-up user other than arrival n's when there are two or more: the
// citizen whose dossier is asked for by someone else.
func (e *env) otherUser(n uint64) User {
	users := e.setup.Users
	return users[(e.pick(n, 0)+1)%uint64(len(users))]
}

// forgedToken is a token nobody signed: alg none, claims of the citizen it pretends to be.
func forgedToken(subject string) string {
	enc := base64.RawURLEncoding
	header := enc.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
	claims, _ := json.Marshal(map[string]any{"sub": subject, "iss": "vneid", "aud": "npsp", "loa": 2,
		"exp": time.Now().Add(time.Hour).Unix()})
	return header + "." + enc.EncodeToString(claims) + "."
}

// expiredToken is a real token whose expiry was moved into the past. A token the
// identity provider signed expired needs its key, which the harness does not hold: the
// portal must refuse this one whether it checks the expiry or the signature first.
func expiredToken(token string) string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return token
	}
	enc := base64.RawURLEncoding
	raw, err := enc.DecodeString(parts[1])
	var claims map[string]any
	if err != nil || json.Unmarshal(raw, &claims) != nil {
		return token
	}
	claims["exp"] = time.Now().Add(-time.Hour).Unix()
	raw, _ = json.Marshal(claims)
	return parts[0] + "." + enc.EncodeToString(raw) + "." + parts[2]
}

// oversizeBody is a well-formed dossier of 128 KiB: twice the portal's body limit.
var oversizeBody = func() []byte {
	b, _ := json.Marshal(map[string]any{"procedure_code": "1.001", "unit_code": "00004",
		"form": map[string]string{"note": strings.Repeat("x", 128<<10)}})
	return b
}()

// trickles are the abusive classes whose bodies trickle: vegeta's attacker sends a body
// whole, so these go through the dispatcher, as journeys do.
var trickles = map[string]func(n uint64, x *executor) (hit, error){
	// slow-upload: signed-in citizens whose submissions never finish arriving.
	"slow-upload": func(n uint64, x *executor) (hit, error) {
		return slowSubmission(x, x.env.portal(n), x.env.user(n).Token, n), nil
	},
	// burst: one client — an account no set-up user has — flooding submissions that never
	// finish, past its limit of requests in progress.
	"burst": func(n uint64, x *executor) (hit, error) {
		token, err := x.attacker.token(x)
		return slowSubmission(x, x.env.ep.Portal, token, n), err
	},
}

// slowSubmission is a submission whose body says it has slowBodySize bytes and sends one
// every trickleEvery.
func slowSubmission(x *executor, portal, token string, n uint64) hit {
	return hit{method: http.MethodPost, url: portal + "/api/v1/dossiers", trickle: true, body: slowBody,
		header: http.Header{"Authorization": {"Bearer " + token}, "Content-Type": {"application/json"},
			"Idempotency-Key": {fmt.Sprintf("slow-%d-%d", x.env.seed, n)}}}
}

// A slow body: 2 KiB announced, a byte a second — far longer than any body deadline.
const (
	slowBodySize = 2 << 10
	trickleEvery = time.Second
)

var slowBody = []byte(strings.Repeat(" ", slowBodySize))

// trickleReader hands out its bytes one at a time, trickleEvery apart.
type trickleReader struct {
	data  []byte
	first bool
}

func (r *trickleReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	if r.first {
		time.Sleep(trickleEvery)
	}
	r.first = true
	n := copy(p[:min(len(p), 1)], r.data)
	r.data = r.data[n:]
	return n, nil
}

// runTrickles sends a trickling class's arrivals, each when it is due.
func runTrickles(ctx context.Context, f *Flow, x *executor) {
	build := trickles[f.Class]
	dispatch(ctx, f, x, func(n uint64, due time.Time) {
		class := f.Classes[0]
		h, err := build(n, x)
		if err != nil {
			x.sink.Sent(class, &vegeta.Result{Attack: x.classes[class], Seq: n, Timestamp: time.Now(), Error: err.Error()}, due)
			return
		}
		res, _ := x.send(h, x.classes[class], n)
		x.sink.Sent(class, res, due)
	})
}

// attacker is the one client of burst: the last of the population's citizens, signed in
// once, which no set-up user is while load.users is below population.citizens.
type attacker struct {
	once sync.Once
	tok  string
	err  error
}

func (a *attacker) token(x *executor) (string, error) {
	a.once.Do(func() {
		ids := x.env.setup.Citizens
		if len(ids) == 0 {
			a.err = fmt.Errorf("burst: no citizen to sign in as")
			return
		}
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		form := url.Values{"grant_type": {"password"}, "username": {ids[len(ids)-1]}, "password": {"thongsuot"}, "client_id": {"npsp"}}
		a.err = call(context.Background(), x.client, http.MethodPost, x.env.ep.Identity+"/oauth2/token", nil, form, &tok)
		a.tok = tok.AccessToken
	})
	return a.tok, a.err
}
