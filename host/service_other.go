//go:build !linux && !windows && !darwin

package host

import (
	"context"
	"errors"
)

func (m *ServiceManager) probe(context.Context) error { return errors.ErrUnsupported }

func (m *ServiceManager) install(context.Context, ServiceSpec) error { return errors.ErrUnsupported }

func (m *ServiceManager) start(context.Context, string) error { return errors.ErrUnsupported }

func (m *ServiceManager) uninstall(context.Context, string, bool) error {
	return errors.ErrUnsupported
}

func (m *ServiceManager) running(context.Context, string) (bool, error) {
	return false, errors.ErrUnsupported
}
