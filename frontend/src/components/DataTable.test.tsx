import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { renderWithProviders } from "../test/utils";
import { DataTable, type Column } from "./DataTable";

interface Fruit {
  id: number;
  name: string;
  price: number;
}

const COLUMNS: Column<Fruit>[] = [
  { key: "name", header: "Fruit", render: (f) => <strong>{f.name}</strong> },
  { key: "price", header: "Price", render: (f) => `€${f.price.toFixed(2)}`, align: "right" },
  { key: "actions", render: (f) => <button type="button">Buy {f.name}</button> },
];

const FRUITS: Fruit[] = [
  { id: 1, name: "Apple", price: 0.5 },
  { id: 2, name: "Pear", price: 0.75 },
];

describe("DataTable", () => {
  it("renders a header per column and each cell through its column's render", () => {
    renderWithProviders(
      <DataTable aria-label="Fruits" columns={COLUMNS} rows={FRUITS} rowKey={(f) => f.id} rowTestId="fruit-row" empty="No fruit." />,
    );
    const table = screen.getByRole("table", { name: "Fruits" });
    const headers = within(table).getAllByRole("columnheader");
    expect(headers.map((h) => h.textContent)).toEqual(["Fruit", "Price", ""]);

    const rows = screen.getAllByTestId("fruit-row");
    expect(rows).toHaveLength(2);
    const cells = within(rows[1]).getAllByRole("cell");
    expect(cells.map((c) => c.textContent)).toEqual(["Pear", "€0.75", "Buy Pear"]);
    expect(within(cells[0]).getByText("Pear").tagName).toBe("STRONG");
    expect(cells[1]).toHaveStyle({ textAlign: "right" });
    expect(headers[1]).toHaveStyle({ textAlign: "right" });
    expect(within(rows[0]).getByRole("button", { name: "Buy Apple" })).toBeInTheDocument();
    expect(screen.queryByText("No fruit.")).not.toBeInTheDocument();
  });

  it("shows the empty message across all columns when there are no rows", () => {
    renderWithProviders(<DataTable columns={COLUMNS} rows={[]} rowKey={(f) => f.id} rowTestId="fruit-row" empty="No fruit." />);
    expect(screen.getAllByRole("columnheader")).toHaveLength(3);
    expect(screen.queryByTestId("fruit-row")).not.toBeInTheDocument();
    const cell = screen.getByRole("cell", { name: "No fruit." });
    expect(cell).toHaveAttribute("colspan", "3");
  });

  it("shows only the headers while the rows are still loading", () => {
    renderWithProviders(<DataTable columns={COLUMNS} rows={undefined} rowKey={(f) => f.id} empty="No fruit." />);
    expect(screen.getAllByRole("columnheader")).toHaveLength(3);
    expect(screen.queryByText("No fruit.")).not.toBeInTheDocument();
    expect(screen.queryAllByRole("cell")).toHaveLength(0);
  });
});
