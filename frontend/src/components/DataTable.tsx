import { Table, Text, type TableProps } from "@mantine/core";
import type { ComponentPropsWithoutRef, CSSProperties, Key, ReactNode } from "react";

export interface Column<T> {
  /** Unique among the table's columns. */
  key: string;
  /** Without one (e.g. a column of row actions) the header cell stays empty. */
  header?: ReactNode;
  render: (row: T) => ReactNode;
  align?: "left" | "center" | "right";
}

interface DataTableProps<T> extends Omit<TableProps, "children" | "data"> {
  columns: Column<T>[];
  /** `undefined` while loading: the headers show, the empty message does not. */
  rows: readonly T[] | undefined;
  rowKey: (row: T, index: number) => Key;
  rowTestId?: string;
  rowStyle?: (row: T) => CSSProperties;
  /** Further attributes of a row's <tr> (e.g. drag and drop handlers). */
  rowProps?: (row: T, index: number) => ComponentPropsWithoutRef<"tr">;
  /** Shown across the table when `rows` is an empty list. */
  empty?: ReactNode;
  /** Below this width the table scrolls sideways instead of squeezing its columns. */
  minWidth?: number;
}

/** A table given as a list of columns, each rendering its cell from a row. */
export function DataTable<T>({
  columns,
  rows,
  rowKey,
  rowTestId,
  rowStyle,
  rowProps,
  empty,
  minWidth,
  ...tableProps
}: DataTableProps<T>) {
  const table = (
    <Table {...tableProps}>
      <Table.Thead>
        <Table.Tr>
          {columns.map((c) => (
            <Table.Th key={c.key} ta={c.align}>
              {c.header}
            </Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows?.map((row, i) => (
          <Table.Tr key={rowKey(row, i)} data-testid={rowTestId} style={rowStyle?.(row)} {...rowProps?.(row, i)}>
            {columns.map((c) => (
              <Table.Td key={c.key} ta={c.align}>
                {c.render(row)}
              </Table.Td>
            ))}
          </Table.Tr>
        ))}
        {rows?.length === 0 && empty && (
          <Table.Tr>
            <Table.Td colSpan={columns.length}>
              <Text c="dimmed" size="sm">
                {empty}
              </Text>
            </Table.Td>
          </Table.Tr>
        )}
      </Table.Tbody>
    </Table>
  );
  return minWidth ? <Table.ScrollContainer minWidth={minWidth}>{table}</Table.ScrollContainer> : table;
}
