import {
  ActionIcon,
  AppShell,
  Avatar,
  Group,
  Menu,
  Text,
  Tooltip,
  UnstyledButton,
  useComputedColorScheme,
  useMantineColorScheme,
} from "@mantine/core";
import {
  IconBolt,
  IconChartBar,
  IconCoin,
  IconInbox,
  IconLogout,
  IconMail,
  IconMoon,
  IconRoute,
  IconSettings,
  IconSun,
  IconUsers,
} from "@tabler/icons-react";
import { NavLink, Outlet, useLocation, useNavigate } from "react-router";
import { hasRole, useCurrentAgent, useLogout } from "../api/auth";
import { ErrorBoundary } from "../components/ErrorBoundary";
import classes from "./AppLayout.module.css";

function NavItem({ to, label, icon }: { to: string; label: string; icon: React.ReactNode }) {
  return (
    <NavLink
      to={to}
      aria-label={label}
      title={label}
      className={({ isActive }) => (isActive ? `${classes.link} ${classes.active}` : classes.link)}
    >
      {icon}
      <span>{label}</span>
    </NavLink>
  );
}

export function AppLayout() {
  const agent = useCurrentAgent();
  const logout = useLogout();
  const navigate = useNavigate();
  const location = useLocation();
  const { setColorScheme } = useMantineColorScheme();
  const colorScheme = useComputedColorScheme("light");
  const toggleColorScheme = () => setColorScheme(colorScheme === "dark" ? "light" : "dark");

  const signOut = () =>
    logout.mutate(undefined, {
      onSettled: () => navigate("/login", { replace: true }),
    });

  return (
    <AppShell header={{ height: 56 }} padding={0}>
      <AppShell.Header>
        <a href="#main-content" className={classes.skip}>
          Skip to content
        </a>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="lg" wrap="nowrap">
            <Text fw={700} size="lg" component="span" aria-label="Service desk">
              Service&nbsp;Desk
            </Text>
            <nav aria-label="Main">
              <Group gap={4} wrap="nowrap">
                <NavItem to="/inbox" label="Inbox" icon={<IconInbox size={18} aria-hidden />} />
                <NavItem to="/customers" label="Customers" icon={<IconUsers size={18} aria-hidden />} />
                <NavItem to="/leads" label="Leads" icon={<IconCoin size={18} aria-hidden />} />
                {hasRole(agent, "lead", "admin") && (
                  <>
                    <NavItem to="/dashboard" label="Dashboard" icon={<IconChartBar size={18} aria-hidden />} />
                    <NavItem to="/reports/journey" label="Journey" icon={<IconRoute size={18} aria-hidden />} />
                  </>
                )}
                {hasRole(agent, "lead", "admin") && (
                  <>
                    <NavItem to="/rules" label="Rules" icon={<IconBolt size={18} aria-hidden />} />
                    <NavItem to="/marketing" label="Marketing" icon={<IconMail size={18} aria-hidden />} />
                  </>
                )}
                {hasRole(agent, "admin") && (
                  <NavItem to="/admin" label="Admin" icon={<IconSettings size={18} aria-hidden />} />
                )}
              </Group>
            </nav>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <Tooltip label={colorScheme === "dark" ? "Light mode" : "Dark mode"}>
              <ActionIcon variant="subtle" color="gray" onClick={toggleColorScheme} aria-label="Toggle color scheme">
                {colorScheme === "dark" ? <IconSun size={18} /> : <IconMoon size={18} />}
              </ActionIcon>
            </Tooltip>
            <Menu position="bottom-end" withinPortal>
              <Menu.Target>
                <UnstyledButton className={classes.user}>
                  <Group gap={8} wrap="nowrap">
                    <Avatar size="sm" radius="xl" color="blue" name={agent?.name} aria-hidden />
                    <div className={classes.userText}>
                      <Text size="sm" fw={500} lh={1.1}>
                        {agent?.name}
                      </Text>
                      <Text size="xs" c="dimmed" lh={1.1}>
                        {agent?.role}
                      </Text>
                      <span className="visually-hidden">, account menu</span>
                    </div>
                  </Group>
                </UnstyledButton>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Label>{agent?.email}</Menu.Label>
                <Menu.Item leftSection={<IconLogout size={16} />} onClick={signOut}>
                  Sign out
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Main id="main-content" tabIndex={-1}>
        <ErrorBoundary resetKey={location.pathname}>
          <Outlet />
        </ErrorBoundary>
      </AppShell.Main>
    </AppShell>
  );
}
