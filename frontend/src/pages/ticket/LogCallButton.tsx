import { Button } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { IconPhoneCall } from "@tabler/icons-react";
import { errorMessage } from "../../api/client";
import { useLogCall } from "../../api/tickets";
import type { TicketDetail } from "../../api/types";
import { CallForm } from "../../components/CallForm";

/** "Log call" on a ticket: the call joins its timeline. */
export function LogCallButton({ ticket }: { ticket: TicketDetail }) {
  const [opened, dialog] = useDisclosure(false);
  const log = useLogCall(ticket.id);
  return (
    <>
      <Button variant="default" leftSection={<IconPhoneCall size={16} />} onClick={dialog.open} disabled={ticket.status === "closed"}>
        Log call
      </Button>
      <CallForm
        opened={opened}
        onClose={dialog.close}
        pending={log.isPending}
        onSubmit={(call) =>
          log.mutate(call, {
            onSuccess: () => {
              notifications.show({ color: "green", message: "Call logged" });
              dialog.close();
            },
            onError: (err) => notifications.show({ color: "red", title: "Could not log the call", message: errorMessage(err) }),
          })
        }
      />
    </>
  );
}
