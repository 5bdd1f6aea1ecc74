import { Stack, Tabs, Title } from "@mantine/core";
import { useSearchParams } from "react-router";
import { AgentsTab } from "./AgentsTab";
import { IntegrationsTab } from "./IntegrationsTab";
import { MacrosTab } from "./MacrosTab";
import { OutboxTab } from "./OutboxTab";
import { SlaTab } from "./SlaTab";
import { TeamsTab } from "./TeamsTab";
import { TokensTab } from "./TokensTab";
import { WebhooksTab } from "./WebhooksTab";

const TABS = ["agents", "teams", "sla", "tokens", "webhooks", "integrations", "macros", "outbox"] as const;

export function AdminPage() {
  const [sp, setSp] = useSearchParams();
  const raw = sp.get("tab");
  const tab = TABS.includes(raw as (typeof TABS)[number]) ? (raw as string) : "agents";
  return (
    <Stack p="md" maw={1200} mx="auto">
      <Title order={1} size="h3">
        Administration
      </Title>
      <Tabs value={tab} onChange={(v) => setSp({ tab: v ?? "agents" }, { replace: true })} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="agents">Agents</Tabs.Tab>
          <Tabs.Tab value="teams">Teams</Tabs.Tab>
          <Tabs.Tab value="sla">SLA policies</Tabs.Tab>
          <Tabs.Tab value="tokens">API tokens</Tabs.Tab>
          <Tabs.Tab value="webhooks">Webhooks</Tabs.Tab>
          <Tabs.Tab value="integrations">Chat &amp; social</Tabs.Tab>
          <Tabs.Tab value="macros">Macros</Tabs.Tab>
          <Tabs.Tab value="outbox">Outbox</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="agents" pt="md">
          <AgentsTab />
        </Tabs.Panel>
        <Tabs.Panel value="teams" pt="md">
          <TeamsTab />
        </Tabs.Panel>
        <Tabs.Panel value="sla" pt="md">
          <SlaTab />
        </Tabs.Panel>
        <Tabs.Panel value="tokens" pt="md">
          <TokensTab />
        </Tabs.Panel>
        <Tabs.Panel value="webhooks" pt="md">
          <WebhooksTab />
        </Tabs.Panel>
        <Tabs.Panel value="integrations" pt="md">
          <IntegrationsTab />
        </Tabs.Panel>
        <Tabs.Panel value="macros" pt="md">
          <MacrosTab />
        </Tabs.Panel>
        <Tabs.Panel value="outbox" pt="md">
          <OutboxTab />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
