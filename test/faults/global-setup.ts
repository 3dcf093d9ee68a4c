// The fault tests run and kill the real built processes: the shared setup provisions the
// services and rebuilds dist/ when it is older than the sources.
export { default } from '../global-setup';
