package server

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/tandemhq/tandem/internal/atomicfile"
)

// Names of the files in the data directory.
const (
	certFileName = "cert.pem"
	keyFileName  = "key.pem"
	dbFileName   = "tandem.db"
)

// certLifetime is how long a generated certificate is valid.
const certLifetime = 10 * 365 * 24 * time.Hour

// loadOrCreateCert loads the certificate from certFile and keyFile, or,
// when both are empty, from the data directory, generating a self-signed
// one there first if there is none. It returns the certificate and the
// fingerprint of its leaf.
func loadOrCreateCert(dataDir, certFile, keyFile, listenHost string, now time.Time) (tls.Certificate, string, error) {
	if (certFile == "") != (keyFile == "") {
		return tls.Certificate{}, "", fmt.Errorf("%w: give both a certificate and a key file, or neither", ErrBadCert)
	}
	if certFile == "" {
		certFile = filepath.Join(dataDir, certFileName)
		keyFile = filepath.Join(dataDir, keyFileName)
		_, err := os.Stat(certFile)
		if errors.Is(err, fs.ErrNotExist) {
			if err := generateCert(certFile, keyFile, listenHost, now); err != nil {
				return tls.Certificate{}, "", err
			}
		} else if err != nil {
			return tls.Certificate{}, "", fmt.Errorf("certificate: %w", err)
		}
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return tls.Certificate{}, "", fmt.Errorf("%w: %v", ErrBadCert, err)
	}
	return cert, fingerprint(cert.Certificate[0]), nil
}

// fingerprint is the lowercase hex SHA-256 of a certificate's DER bytes.
func fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

// generateCert writes a self-signed ECDSA P-256 certificate for this
// machine's names to certFile and its key (readable by the owner only) to
// keyFile.
func generateCert(certFile, keyFile, listenHost string, now time.Time) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("generate key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return fmt.Errorf("generate serial: %w", err)
	}
	dns := []string{"localhost"}
	ips := []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	if h, err := os.Hostname(); err == nil && h != "" && h != "localhost" {
		dns = append(dns, h)
	}
	if listenHost != "" {
		if ip := net.ParseIP(listenHost); ip != nil {
			if !ip.IsUnspecified() && !ip.IsLoopback() {
				ips = append(ips, ip)
			}
		} else if listenHost != "localhost" {
			dns = append(dns, listenHost)
		}
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "Tandem server", Organization: []string{"Tandem"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(certLifetime),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              dns,
		IPAddresses:           ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return fmt.Errorf("create certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return fmt.Errorf("marshal key: %w", err)
	}
	if err := atomicfile.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return err
	}
	return atomicfile.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
}

// CertificateFingerprint returns the fingerprint of the certificate in
// dataDir, generating the certificate first if there is none (the
// server's -print-fingerprint).
func CertificateFingerprint(dataDir, listenAddr string) (string, error) {
	if dataDir == "" {
		return "", ErrNoDataDir
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return "", fmt.Errorf("data directory: %w", err)
	}
	host, _, _ := net.SplitHostPort(listenAddr)
	_, fp, err := loadOrCreateCert(dataDir, "", "", host, time.Now())
	return fp, err
}
