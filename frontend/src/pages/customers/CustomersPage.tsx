import { Anchor, Button, Center, Group, Loader, Stack, Text, TextInput, Title } from "@mantine/core";
import { useDebouncedCallback } from "@mantine/hooks";
import { IconSearch } from "@tabler/icons-react";
import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import { useCustomerList } from "../../api/customers";
import type { CustomerSummary } from "../../api/types";
import { DataTable, type Column } from "../../components/DataTable";
import { QueryError } from "../../components/QueryError";

/** Customers, searchable by name, email, phone or handle; the search lives in the URL. */
export function CustomersPage() {
  const [sp, setSp] = useSearchParams();
  const q = sp.get("q") ?? "";
  const [search, setSearch] = useState(q);
  const pushSearch = useDebouncedCallback(
    (value: string) => setSp(value.trim() ? { q: value.trim() } : {}, { replace: true }),
    300,
  );
  const list = useCustomerList(q);
  const customers = list.data?.pages.flatMap((p) => p.items) ?? [];
  const columns: Column<CustomerSummary>[] = [
    {
      key: "name",
      header: "Name",
      render: (c) => (
        // A search still pending would otherwise navigate back here while the customer page loads.
        <Anchor component={Link} to={`/customers/${c.id}`} onClick={() => pushSearch.cancel()}>
          {c.name}
        </Anchor>
      ),
    },
    { key: "email", header: "Email", render: (c) => c.email ?? "—" },
    { key: "phone", header: "Phone", render: (c) => c.phone ?? "—" },
    { key: "organization", header: "Organization", render: (c) => c.organization ?? "—" },
    { key: "tags", header: "Tags", render: (c) => c.tags.map((t) => `#${t}`).join(" ") },
  ];

  return (
    <Stack p="md" maw={1100} mx="auto">
      <Group justify="space-between" wrap="wrap" gap="sm">
        <Title order={1} size="h3">
          Customers
        </Title>
        <TextInput
          aria-label="Search customers"
          placeholder="Name, email, phone or handle…"
          leftSection={<IconSearch size={16} aria-hidden />}
          type="search"
          value={search}
          onChange={(e) => {
            setSearch(e.currentTarget.value);
            pushSearch(e.currentTarget.value);
          }}
          w={{ base: "100%", sm: 320 }}
        />
      </Group>
      {list.isError ? (
        <QueryError error={list.error} onRetry={() => void list.refetch()} />
      ) : list.isPending ? (
        <Center py={60}>
          <Loader aria-label="Loading customers" />
        </Center>
      ) : customers.length === 0 ? (
        <Text c="dimmed">{q ? `No customer matches “${q}”.` : "No customers yet."}</Text>
      ) : (
        <>
          <DataTable
            striped
            highlightOnHover
            aria-label="Customers"
            columns={columns}
            rows={customers}
            rowKey={(c) => c.id}
            rowTestId="customer-row"
          />
          {list.hasNextPage && (
            <Center>
              <Button variant="default" onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
                Load more
              </Button>
            </Center>
          )}
        </>
      )}
    </Stack>
  );
}
