import { OperatorError } from "@operator/core";

/** Bad input to the simulator: an unknown store id, a fault it does not know, an out-of-range value. */
export class SimulatorError extends OperatorError {
  override name = "SimulatorError";
  constructor(message: string, options?: ErrorOptions) {
    super(message.startsWith("[operator]") ? message : `[operator] [tikv-sim] ${message}`, options);
  }
}

/** The Prometheus child process failed to start, exited early, or did not scrape in time. */
export class PrometheusHarnessError extends SimulatorError {
  override name = "PrometheusHarnessError";
}

/** The Prometheus binary the harness was asked to run does not exist or cannot be executed. */
export class PrometheusNotFoundError extends PrometheusHarnessError {
  override name = "PrometheusNotFoundError";
  constructor(readonly binary: string) {
    super(
      `Prometheus binary not found at ${binary}. Install it with ` +
        "`apt-get install -y --no-install-recommends prometheus`, or point the `binary` option or " +
        "the PROMETHEUS_BIN environment variable at a prometheus executable",
    );
  }
}
