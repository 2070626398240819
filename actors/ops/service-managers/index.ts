import type { ServicePlatform } from '../../../protocol/cli/service.js';
import { launchdManager } from './launchd.js';
import { schtasksManager } from './schtasks.js';
import { systemdManager } from './systemd.js';
import type { ServiceManager } from './types.js';

/** The supervisor of a platform: systemd on Linux, launchd on macOS, Task Scheduler on Windows. */
export function serviceManagerFor(platform: ServicePlatform): ServiceManager {
  switch (platform) {
    case 'darwin':
      return launchdManager;
    case 'win32':
      return schtasksManager;
    case 'linux':
      return systemdManager;
  }
}
