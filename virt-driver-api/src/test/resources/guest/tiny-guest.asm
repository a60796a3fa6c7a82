; The project's test guest: a 512-byte BIOS boot sector (nasm -f bin tiny-guest.asm).
; Prints "COMPUTE-AGENT-GUEST-BOOTED" on COM1, then "TICK n" about once a second, idling in
; hlt between timer interrupts. When the byte at offset 509 (poweroff_after) is not zero, the
; guest powers itself off through the ACPI PM1a control register after that many ticks, which
; is how tests provoke a guest-initiated shutdown. TinyGuestImage embeds the assembled bytes.
bits 16
org 0x7c00
start:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7c00
    sti
    mov si, marker
    call puts
    xor ebx, ebx
.tick:
    inc ebx
    mov si, tickmsg
    call puts
    mov eax, ebx
    call putdec
    mov si, crlf
    call puts
    movzx ecx, byte [poweroff_after]
    test ecx, ecx
    jz .sleep
    cmp ebx, ecx
    jb .sleep
    mov si, offmsg
    call puts
    mov ax, 0x2000          ; SLP_TYP=0, SLP_EN: S5
    mov dx, 0x604           ; PM1a_CNT on q35 / newer QEMU
    out dx, ax
    mov dx, 0xb004          ; PM1a_CNT where SeaBIOS maps PIIX4 PM (pc machine)
    out dx, ax
.sleep:
    mov cx, 18              ; ~18.2 PIT ticks per second
.wait:
    hlt
    loop .wait
    jmp .tick

puts:
    lodsb
    test al, al
    jz .done
    call putc
    jmp puts
.done:
    ret

putc:
    push dx
    push ax
    mov dx, 0x3fd
.busy:
    in al, dx
    test al, 0x20
    jz .busy
    pop ax
    mov dx, 0x3f8
    out dx, al
    pop dx
    ret

putdec:
    push ebx
    push ecx
    push edx
    mov ecx, 10
    xor bx, bx
.div:
    xor edx, edx
    div ecx
    push dx
    inc bx
    test eax, eax
    jnz .div
.out:
    pop ax
    add al, '0'
    call putc
    dec bx
    jnz .out
    pop edx
    pop ecx
    pop ebx
    ret

marker  db 13, 10, "COMPUTE-AGENT-GUEST-BOOTED", 13, 10, 0
tickmsg db "TICK ", 0
offmsg  db "POWERING-OFF", 13, 10, 0
crlf    db 13, 10, 0
times 509-($-$$) db 0
poweroff_after db 0
dw 0xaa55
