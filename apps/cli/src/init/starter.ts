// The files `sitewatch init` writes: a commented config for one machine and its targets file.

/** sitewatch.yaml: Kafka and PostgreSQL of the local stack (or KAFKA_BROKERS and DATABASE_URL), the page on 8080, the ops port on 9464. */
export const starterConfig = `# sitewatch on one machine: \`sitewatch all --config sitewatch.yaml\` runs the checker, the
# writer and the status page in one process. Each service can also run on its own with this
# file (\`sitewatch producer\`, \`sitewatch consumer\`, \`sitewatch status\`); every setting is
# in the README's configuration reference. \${env:NAME} takes a value from the environment
# (\${env:NAME:-fallback}: fallback when NAME is not set), \${file:path} from a file.

log:
  level: info

kafka:
  # The local stack's broker (\`npm run stack:up\` in a clone of sitewatch), or KAFKA_BROKERS.
  brokers: ['\${env:KAFKA_BROKERS:-127.0.0.1:19092}']
  topic: sitewatch.checks
  # Made when missing: the topic by the checker and the writer, sitewatch.checks.dlq by the writer.
  createTopic: { partitions: 3, replicationFactor: 1 }

checker:
  # The probeId of every result.
  location: local
  # The targets, in their own file: the same file \`sitewatch targets apply\` writes to a
  # fleet's registry when this outgrows one machine.
  targetsFile: targets.yaml

postgres:
  # The local stack's PostgreSQL (the machine's, or the one it runs itself), or DATABASE_URL.
  url: '\${env:DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}'

status:
  listen: { port: 8080, host: 127.0.0.1 }
  title: sitewatch
  # What the page shows: every target in the database, by id. Or \`publish: listed\` and
  # name them under \`targets:\` ({ id, name, group }), in the order to show them.
  publish: all

alerts:
  # A target is down after 3 failed checks in a row and up again after 2 good ones: the
  # incidents are on the page. Where to tell someone, and which targets go where:
  defaults: { failureThreshold: 3, successThreshold: 2 }
  # channels:
  #   ops: { type: webhook, url: 'https://ops.example.com/hooks/sitewatch', secret: '\${env:SITEWATCH_WEBHOOK_SECRET}' }
  #   chat: { type: slack, url: '\${env:SLACK_WEBHOOK_URL}' }
  #   mail: { type: email, host: smtp.example.com, port: 587, username: sitewatch, password: '\${env:SMTP_PASSWORD}', from: sitewatch@example.com, to: [ops@example.com] }
  # Every channel hears of every target, unless a rule says otherwise:
  # rules:
  #   - { targets: ['example-*'], channels: [chat] }

all:
  # /metrics (Prometheus), /healthz and /readyz of the three services.
  metrics: { port: 9464, host: 127.0.0.1 }
`;

/** targets.yaml: a loopback demo (the process's own health endpoint) and one public site. */
export const starterTargets = `# The targets of sitewatch.yaml (checker.targetsFile). Each: id, url, and what a good answer
# is; the settings are those of checker.targets in the README. A change takes effect at the
# next start.

defaults:
  intervalMs: 30000
  timeoutMs: 10000

targets:
  # A demo that needs no internet: the process's own health endpoint (all.metrics in
  # sitewatch.yaml), up while sitewatch all runs.
  - id: sitewatch-health
    url: http://127.0.0.1:9464/healthz
    intervalMs: 10000
    mustMatch: ok
  # A public site, and the text its page must hold.
  - id: example-com
    url: https://example.com/
    mustMatch: Example Domain
`;
