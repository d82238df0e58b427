package main

import (
	"context"

	"github.com/tandemhq/tandem/host"
	"github.com/tandemhq/tandem/protocol"
)

// systemInfo describes this computer for the rep's session summary.
func systemInfo(ctx context.Context) (protocol.SystemInfo, error) {
	si, err := (&host.Host{}).Collect(ctx)
	if err != nil {
		return protocol.SystemInfo{}, err
	}
	return protocol.SystemInfo{
		HostName:  si.Hostname,
		OS:        si.OS,
		OSName:    si.OSName,
		OSVersion: si.OSVersion,
		Arch:      si.Arch,
		User:      si.User,
	}, nil
}
