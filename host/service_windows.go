package host

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
	"golang.org/x/sys/windows/svc"
	"golang.org/x/sys/windows/svc/mgr"
)

// On Windows a service is registered with the service control manager
// (demand start, LocalSystem), its variables in the service's Environment
// registry value. Removing it marks it for deletion: the manager deletes
// it once it has stopped, so RemoveSelf needs nothing more. The program
// must speak the service control protocol (golang.org/x/sys/windows/svc)
// or the manager ends it after its start timeout.

func (m *ServiceManager) probe(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !IsElevated() {
		return fmt.Errorf("%w: installing a service needs an elevated process", ErrServiceUnavailable)
	}
	sm, err := mgr.Connect()
	if err != nil {
		return fmt.Errorf("%w: service control manager: %v", ErrServiceUnavailable, err)
	}
	return sm.Disconnect()
}

func (m *ServiceManager) install(ctx context.Context, spec ServiceSpec) error {
	if err := m.uninstall(ctx, spec.Name, true); err != nil {
		return err
	}
	sm, err := mgr.Connect()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrServiceUnavailable, err)
	}
	defer sm.Disconnect()
	s, err := sm.CreateService(spec.Name, spec.Exe, mgr.Config{
		StartType:   mgr.StartManual,
		DisplayName: spec.Name,
		Description: spec.Description,
	}, spec.Args...)
	if err != nil {
		return err
	}
	defer s.Close()
	if len(spec.Env) > 0 {
		k, err := registry.OpenKey(registry.LOCAL_MACHINE, `SYSTEM\CurrentControlSet\Services\`+spec.Name, registry.SET_VALUE)
		if err == nil {
			err = k.SetStringsValue("Environment", spec.Env)
			k.Close()
		}
		if err != nil {
			_ = s.Delete()
			return fmt.Errorf("the service's environment: %w", err)
		}
	}
	return nil
}

func (m *ServiceManager) start(ctx context.Context, name string) error {
	sm, err := mgr.Connect()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrServiceUnavailable, err)
	}
	defer sm.Disconnect()
	s, err := sm.OpenService(name)
	if err != nil {
		return err
	}
	defer s.Close()
	return s.Start()
}

func (m *ServiceManager) uninstall(ctx context.Context, name string, stop bool) error {
	sm, err := mgr.Connect()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrServiceUnavailable, err)
	}
	defer sm.Disconnect()
	s, err := sm.OpenService(name)
	if errors.Is(err, windows.ERROR_SERVICE_DOES_NOT_EXIST) {
		return nil
	}
	if err != nil {
		return err
	}
	defer s.Close()
	if stop {
		st, err := s.Control(svc.Stop)
		for err == nil && st.State != svc.Stopped && ctx.Err() == nil {
			time.Sleep(100 * time.Millisecond)
			st, err = s.Query()
		}
	}
	if err := s.Delete(); err != nil && !errors.Is(err, windows.ERROR_SERVICE_MARKED_FOR_DELETE) {
		return err
	}
	return nil
}

func (m *ServiceManager) running(ctx context.Context, name string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	sm, err := mgr.Connect()
	if err != nil {
		return false, fmt.Errorf("%w: %v", ErrServiceUnavailable, err)
	}
	defer sm.Disconnect()
	s, err := sm.OpenService(name)
	if errors.Is(err, windows.ERROR_SERVICE_DOES_NOT_EXIST) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer s.Close()
	st, err := s.Query()
	if err != nil {
		return false, err
	}
	return st.State != svc.Stopped, nil
}
