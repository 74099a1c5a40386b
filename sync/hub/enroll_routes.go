package hub

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/doorcheck/doorcheck/sync/protocol"
)

// maxRedeemBody bounds POST /v1/enroll.
const maxRedeemBody = 4 << 10

// serveRedeem spends a one-time enrollment token and creates the kiosk.
func (s *Server) serveRedeem(w http.ResponseWriter, r *http.Request) error {
	var req protocol.RedeemRequest
	if err := decodeJSONBody(w, r, maxRedeemBody, &req); err != nil {
		return err
	}
	if req.Handshake != protocol.Handshake {
		return newError(http.StatusBadRequest, protocol.CodeBadRequest, "handshake %d: this hub speaks %d", req.Handshake, protocol.Handshake)
	}
	if len(req.Token) != protocol.TokenSize {
		return newError(http.StatusBadRequest, protocol.CodeBadRequest, "token must be %d bytes", protocol.TokenSize)
	}
	if !printableASCII(req.Device, protocol.MaxDeviceLen) {
		return newError(http.StatusBadRequest, protocol.CodeBadRequest, "device must be at most %d printable ASCII characters", protocol.MaxDeviceLen)
	}
	id, err := newKioskID(s.opts.Rand)
	if err != nil {
		return err
	}
	secret := make([]byte, 32)
	if _, err := io.ReadFull(s.opts.Rand, secret); err != nil {
		return err
	}
	k, err := s.opts.Storage.RedeemEnrollment(r.Context(), HashToken(req.Token), Kiosk{
		ID: id, Device: req.Device, SecretHash: sha256.Sum256(secret), EnrolledAt: s.opts.Now().UTC(),
	})
	switch {
	case errors.Is(err, ErrTokenUnknown):
		return newError(http.StatusNotFound, protocol.CodeTokenUnknown, "no such enrollment code")
	case errors.Is(err, ErrTokenUsed):
		return newError(http.StatusGone, protocol.CodeTokenUsed, "this enrollment code has been used: make a new one with doorcheck-hub enroll")
	case errors.Is(err, ErrTokenExpired):
		return newError(http.StatusGone, protocol.CodeTokenExpired, "this enrollment code has expired: make a new one with doorcheck-hub enroll")
	case err != nil:
		return err
	}
	w.(*recorder).logName = k.ID
	writeJSON(w, http.StatusOK, protocol.RedeemResponse{
		Kiosk: k.ID, Secret: secret, Venue: k.Venue, Door: k.Door, Direction: k.Direction.String(),
		HubKey: s.opts.Keys.HubPublic(), HubKeyID: keyID(s.opts.Keys), Manifest: protocol.ManifestPath,
	})
	return nil
}

// authenticate checks a kiosk's bearer credential: unknown or wrong is 401
// unauthorized, revoked is 403 kiosk_revoked.
func (s *Server) authenticate(r *http.Request) (Kiosk, error) {
	auth := r.Header.Get("Authorization")
	cred, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok {
		return Kiosk{}, newError(http.StatusUnauthorized, protocol.CodeUnauthorized, "missing kiosk credentials (Authorization: Bearer KIOSK.SECRET)")
	}
	id, secret, err := protocol.ParseCredential(cred)
	if err != nil || len(id) > 64 {
		return Kiosk{}, newError(http.StatusUnauthorized, protocol.CodeUnauthorized, "malformed kiosk credentials")
	}
	k, err := s.opts.Storage.Kiosk(r.Context(), id)
	if errors.Is(err, ErrNotFound) {
		return Kiosk{}, newError(http.StatusUnauthorized, protocol.CodeUnauthorized, "unknown kiosk credentials")
	}
	if err != nil {
		return Kiosk{}, err
	}
	sum := sha256.Sum256(secret)
	if subtle.ConstantTimeCompare(sum[:], k.SecretHash[:]) != 1 {
		return Kiosk{}, newError(http.StatusUnauthorized, protocol.CodeUnauthorized, "unknown kiosk credentials")
	}
	if k.Revoked() {
		e := newError(http.StatusForbidden, protocol.CodeKioskRevoked, "this kiosk has been revoked: it keeps its records and stops syncing")
		e.body.RevokedAt = k.RevokedAt
		return Kiosk{}, e
	}
	return k, nil
}

// serveWhoAmI answers an authenticated kiosk with its own record: the
// cheapest way for a kiosk to learn it has been revoked.
func (s *Server) serveWhoAmI(w http.ResponseWriter, r *http.Request) error {
	k, err := s.authenticate(r)
	if err != nil {
		return err
	}
	w.(*recorder).logName = k.ID
	writeJSON(w, http.StatusOK, protocol.KioskInfo{
		Kiosk: k.ID, Venue: k.Venue, Door: k.Door, Direction: k.Direction.String(), EnrolledAt: k.EnrolledAt,
	})
	return nil
}

// decodeJSONBody reads a bounded JSON body strictly into v.
func decodeJSONBody(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return newError(http.StatusUnsupportedMediaType, protocol.CodeUnsupportedMediaType, "want Content-Type: application/json")
	}
	if enc := r.Header.Get("Content-Encoding"); enc != "" && enc != "identity" {
		return newError(http.StatusUnsupportedMediaType, protocol.CodeUnsupportedMediaType, "Content-Encoding is not supported here")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		e := newError(http.StatusRequestEntityTooLarge, protocol.CodeBodyTooLarge, "body over %d bytes", limit)
		e.body.Limit = limit
		return e
	}
	if err != nil {
		return newError(http.StatusBadRequest, protocol.CodeBadRequest, "could not read the body")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil || dec.More() {
		return newError(http.StatusBadRequest, protocol.CodeBadRequest, "body is not the expected JSON object")
	}
	return nil
}

func printableASCII(s string, max int) bool {
	if len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
