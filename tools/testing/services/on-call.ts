// The six on-call and chat services at once, each a receiver on loopback, and the channels
// that send to them (named pd, og, teams, discord, tg, phone): what the alerts' tests, the
// alerts command's and the secrets' scan configure.
import { startDiscordReceiver, type DiscordReceiver } from './discord.js';
import { startNtfyReceiver, type NtfyReceiver } from './ntfy.js';
import { startOpsgenieReceiver, type OpsgenieReceiver } from './opsgenie.js';
import { startPagerDutyReceiver, type PagerDutyReceiver } from './pagerduty.js';
import { startTeamsReceiver, type TeamsReceiver } from './teams.js';
import { startTelegramReceiver, type TelegramReceiver } from './telegram.js';

export interface OnCallServices {
  pagerduty: PagerDutyReceiver;
  opsgenie: OpsgenieReceiver;
  teams: TeamsReceiver;
  discord: DiscordReceiver;
  telegram: TelegramReceiver;
  ntfy: NtfyReceiver;
  /** alerts.channels entries, one per service. */
  channels: ReturnType<typeof channelsOf>;
  close(): Promise<void>;
}

function channelsOf({ pagerduty, opsgenie, teams, discord, telegram, ntfy }: Omit<OnCallServices, 'channels' | 'close'>) {
  return {
    pd: { type: 'pagerduty' as const, routingKey: pagerduty.routingKey, url: pagerduty.url },
    og: { type: 'opsgenie' as const, apiKey: opsgenie.apiKey, apiUrl: opsgenie.base },
    teams: { type: 'teams' as const, url: teams.url },
    discord: { type: 'discord' as const, url: discord.url },
    tg: { type: 'telegram' as const, token: telegram.token, chatId: telegram.chatId, apiUrl: telegram.apiUrl },
    phone: { type: 'ntfy' as const, url: ntfy.url, token: ntfy.token },
  };
}

/** Starts the six receivers. */
export async function startOnCallServices(): Promise<OnCallServices> {
  const [pagerduty, opsgenie, teams, discord, telegram, ntfy] = await Promise.all([startPagerDutyReceiver(), startOpsgenieReceiver(), startTeamsReceiver(), startDiscordReceiver(), startTelegramReceiver(), startNtfyReceiver()]);
  const services = { pagerduty, opsgenie, teams, discord, telegram, ntfy };
  return {
    ...services,
    channels: channelsOf(services),
    close: async () => void (await Promise.all(Object.values(services).map((service) => service.close()))),
  };
}
