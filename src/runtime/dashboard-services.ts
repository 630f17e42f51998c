import type { DashboardServices } from '../dashboard/services.js';
import { apiServices } from './api-services.js';
import type { Fabric } from './fabric.js';
import { functionRunLog } from './function-runs.js';

/** The dashboard's view of a fabric: the API's services plus queue depths and the run log. */
export function dashboardServices(fabric: Fabric, onWork: () => void = () => {}): DashboardServices {
  return {
    api: apiServices(fabric, onWork),
    topology: fabric.topology,
    queueDepths: () => fabric.queues.depths(),
    functionRuns: functionRunLog(fabric.db),
  };
}
