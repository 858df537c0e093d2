/**
 * The setup's health for Mission Control's Health panel: the checks of `praktor doctor`, run by the gateway itself,
 * read-only.
 */
import { DoctorReport } from '@praktor/protocol';
import { type Route, route } from '../route.js';

/** The doctor route. */
export const doctorRoutes: Route[] = [
  route({
    method: 'GET',
    url: '/api/doctor',
    summary: 'The checks of praktor doctor, as the running gateway finds them, each problem with its fix.',
    response: DoctorReport,
    handle(_input, deps) {
      return deps.doctor();
    },
  }),
];
