/**
 * Kubernetes puts "service link" variables into every pod for each Service in its namespace:
 * a Service named `gateway` gives GATEWAY_SERVICE_HOST, GATEWAY_SERVICE_PORT,
 * GATEWAY_PORT=tcp://10.0.0.7:8080, GATEWAY_PORT_8080_TCP_ADDR and so on. They fall under the
 * prefixes the strict environment owns, and GATEWAY_PORT is one of our own settings.
 */
const LINK_NAME = /^[A-Z][A-Z0-9_]*?_(SERVICE_HOST|SERVICE_PORT(_[A-Z0-9_]+)?|PORT|PORT_\d+_(TCP|UDP|SCTP)(_PROTO|_PORT|_ADDR)?)$/;
const LINK_URL = /^(tcp|udp|sctp):\/\/[^\s/]+:\d+$/;

/** Whether `name=value` has the shape of a Kubernetes service-link variable. */
export function isServiceLink(name: string, value: string): boolean {
  const m = LINK_NAME.exec(name);
  if (!m) return false;
  // NAME_PORT is the one shape a person might set too: only its tcp://host:port form is a link.
  return m[1] === 'PORT' ? LINK_URL.test(value) : true;
}

/** The message for one of our settings that holds a service link instead of its value. */
export function serviceLinkMessage(name: string, value: string): string {
  const service = name.slice(0, name.lastIndexOf('_PORT')).toLowerCase().replaceAll('_', '-');
  return `holds "${value}", a Kubernetes service link (a Service named "${service}" in the namespace), not a port: set enableServiceLinks: false in the pod spec (the manifests in infra/k8s do), or set ${name} explicitly`;
}
