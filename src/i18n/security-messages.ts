import type { Language } from '../db/schema';
import type { SecurityMailKind } from '../mail/security-mails';

/**
 * The security notification emails (password changed, two-factor changes, recovery code used,
 * account locked, password reset link), in the user's language. Every language must define every
 * message (the type checks it). Formal register throughout: vous, Sie, usted.
 */

/** What a notification may mention; dates are already written out in the reader's language. */
export interface SecurityFacts {
  account: string;
  /** recoveryCodeUsed only. */
  codesLeft: number;
  /** recoveryCodeUsed only: few enough codes left to suggest making new ones. */
  fewCodesLeft: boolean;
  /** accountLocked only. */
  lockedUntil: string;
}

interface KindTexts {
  subject(account: string): string;
  /** What happened, one paragraph per entry. */
  body(facts: SecurityFacts): string[];
  /** The last line: what to do if it was not the reader. */
  notYou(account: string): string;
}

export interface SecurityMessages {
  greeting(name: string | null): string;
  /** "Label: value", with the language's punctuation. */
  labelled(label: string, value: string): string;
  when: string;
  ipAddress: string;
  goToSignIn: string;
  goToMyAccount: string;
  kinds: Record<SecurityMailKind, KindTexts>;
  /** accountLocked, for a lock of the whole account: the owner may end it with a link. */
  unlock: {
    body(expires: string): string;
    action: string;
  };
  resetLink: {
    subject(account: string): string;
    body(account: string): string;
    expires(date: string): string;
    action: string;
    linkFallback: string;
    ignore: string;
  };
}

const en: SecurityMessages = {
  greeting: (name) => (name ? `Hello ${name},` : 'Hello,'),
  labelled: (label, value) => `${label}: ${value}`,
  when: 'Date and time',
  ipAddress: 'IP address',
  goToSignIn: 'Go to the sign-in page',
  goToMyAccount: 'Open My account',
  kinds: {
    passwordChanged: {
      subject: (account) => `Your ${account} password was changed`,
      body: (f) => [`The password of your account in ${f.account} was changed in My account.`],
      notYou: (account) =>
        `If you did not change it, reset your password from the sign-in page straight away and tell an administrator of ${account}.`,
    },
    passwordReset: {
      subject: (account) => `Your ${account} password was reset`,
      body: (f) => [
        `The password of your account in ${f.account} was reset with a password reset link. You can now sign in with the new password.`,
      ],
      notYou: (account) =>
        `If you did not reset it, contact an administrator of ${account} straight away: someone may have access to your email.`,
    },
    twoFactorEnabled: {
      subject: (account) => `Two-factor authentication is on for ${account}`,
      body: (f) => [
        `You turned on two-factor authentication for your account in ${f.account}. From now on, signing in asks for a code from your authenticator app after your password.`,
      ],
      notYou: (account) =>
        `If you did not turn it on, someone may know your password: reset it from the sign-in page and contact an administrator of ${account}.`,
    },
    twoFactorRemoved: {
      subject: (account) => `Two-factor authentication was removed for ${account}`,
      body: (f) => [
        `You removed two-factor authentication from your account in ${f.account}. Signing in now asks only for your password. You can turn it on again in My account.`,
      ],
      notYou: (account) =>
        `If you did not remove it, reset your password from the sign-in page straight away and contact an administrator of ${account}.`,
    },
    twoFactorReset: {
      subject: (account) => `Your ${account} two-factor authentication was reset`,
      body: (f) => [
        `An administrator of ${f.account} reset your two-factor authentication. The codes from your current authenticator app no longer work for this account.`,
        'The next time you sign in, you will be asked to set up two-factor authentication again.',
      ],
      notYou: (account) =>
        `If you did not expect this, contact an administrator of ${account} before you sign in.`,
    },
    recoveryCodeUsed: {
      subject: (account) => `A recovery code was used for your ${account} account`,
      body: (f) => [
        `One of your recovery codes was used on your account in ${f.account}, to sign in or to reset your password. Each code works only once.`,
        [
          f.codesLeft === 0
            ? 'You have no recovery codes left.'
            : f.codesLeft === 1
              ? 'You have 1 recovery code left.'
              : `You have ${f.codesLeft} recovery codes left.`,
          ...(f.fewCodesLeft ? ['Generate new ones in My account.'] : []),
        ].join(' '),
      ],
      notYou: (account) =>
        `If you did not use a recovery code, someone may have your codes and your password: reset your password from the sign-in page, generate new recovery codes in My account and contact an administrator of ${account}.`,
    },
    accountLocked: {
      subject: (account) => `Your ${account} account is temporarily locked`,
      body: (f) => [
        `Your account in ${f.account} was locked after too many failed sign-in attempts.`,
        `It unlocks by itself on ${f.lockedUntil}. You can wait until then, or ask an administrator of ${f.account} to unlock it sooner.`,
      ],
      notYou: (account) =>
        `If these attempts were not yours, someone may be trying to guess your password: consider resetting it from the sign-in page, and tell an administrator of ${account}.`,
    },
  },
  unlock: {
    body: (expires) =>
      `If the attempts were yours and you know your password, you can end the lock now with the link below. It works once, until ${expires}; if you use two-factor authentication, it asks for a code first.`,
    action: 'End the lock now',
  },
  resetLink: {
    subject: (account) => `Reset your ${account} password`,
    body: (account) =>
      `Someone asked to reset the password of your account in ${account}. If it was you, choose a new password with the link below.`,
    expires: (date) => `The link works once, until ${date}.`,
    action: 'Choose a new password',
    linkFallback: 'If the link does not work, copy this address into your browser:',
    ignore: 'If you did not ask for this, ignore this email: your password has not changed.',
  },
};

/** French "de", elided before a vowel: "d’Acme", "de Globex". */
function deFr(name: string): string {
  return /^[aeiouyàâæéèêëîïôœùûü]/i.test(name) ? `d’${name}` : `de ${name}`;
}

const fr: SecurityMessages = {
  greeting: (name) => (name ? `Bonjour ${name},` : 'Bonjour,'),
  labelled: (label, value) => `${label} : ${value}`,
  when: 'Date et heure',
  ipAddress: 'Adresse IP',
  goToSignIn: 'Aller à la page de connexion',
  goToMyAccount: 'Ouvrir Mon compte',
  kinds: {
    passwordChanged: {
      subject: (account) => `Le mot de passe de votre compte ${account} a été modifié`,
      body: (f) => [`Le mot de passe de votre compte ${f.account} a été modifié depuis la page Mon compte.`],
      notYou: (account) =>
        `Si vous n’êtes pas à l’origine de ce changement, réinitialisez immédiatement votre mot de passe depuis la page de connexion et prévenez un administrateur ${deFr(account)}.`,
    },
    passwordReset: {
      subject: (account) => `Le mot de passe de votre compte ${account} a été réinitialisé`,
      body: (f) => [
        `Le mot de passe de votre compte ${f.account} a été réinitialisé à l’aide d’un lien de réinitialisation. Vous pouvez désormais vous connecter avec le nouveau mot de passe.`,
      ],
      notYou: (account) =>
        `Si vous n’êtes pas à l’origine de cette réinitialisation, contactez immédiatement un administrateur ${deFr(account)} : quelqu’un a peut-être accès à votre messagerie.`,
    },
    twoFactorEnabled: {
      subject: (account) => `Authentification à deux facteurs activée sur ${account}`,
      body: (f) => [
        `Vous avez activé l’authentification à deux facteurs sur votre compte ${f.account}. Désormais, à la connexion, un code de votre application d’authentification vous sera demandé après votre mot de passe.`,
      ],
      notYou: (account) =>
        `Si vous ne l’avez pas activée vous-même, quelqu’un connaît peut-être votre mot de passe : réinitialisez-le depuis la page de connexion et contactez un administrateur ${deFr(account)}.`,
    },
    twoFactorRemoved: {
      subject: (account) => `Authentification à deux facteurs désactivée sur ${account}`,
      body: (f) => [
        `Vous avez supprimé l’authentification à deux facteurs de votre compte ${f.account}. Seul votre mot de passe vous sera désormais demandé à la connexion. Vous pouvez la réactiver depuis la page Mon compte.`,
      ],
      notYou: (account) =>
        `Si vous ne l’avez pas supprimée vous-même, réinitialisez immédiatement votre mot de passe depuis la page de connexion et contactez un administrateur ${deFr(account)}.`,
    },
    twoFactorReset: {
      subject: (account) => `Votre authentification à deux facteurs sur ${account} a été réinitialisée`,
      body: (f) => [
        `Un administrateur ${deFr(f.account)} a réinitialisé votre authentification à deux facteurs. Les codes de votre application d’authentification actuelle ne fonctionnent plus pour ce compte.`,
        'À votre prochaine connexion, vous devrez configurer à nouveau l’authentification à deux facteurs.',
      ],
      notYou: (account) =>
        `Si vous ne vous attendiez pas à cette réinitialisation, contactez un administrateur ${deFr(account)} avant de vous connecter.`,
    },
    recoveryCodeUsed: {
      subject: (account) => `Un code de secours a été utilisé sur votre compte ${account}`,
      body: (f) => [
        `Un de vos codes de secours a été utilisé sur votre compte ${f.account}, pour vous connecter ou pour réinitialiser votre mot de passe. Chaque code ne fonctionne qu’une fois.`,
        [
          f.codesLeft === 0
            ? 'Il ne vous reste aucun code de secours.'
            : f.codesLeft === 1
              ? 'Il vous reste 1 code de secours.'
              : `Il vous reste ${f.codesLeft} codes de secours.`,
          ...(f.fewCodesLeft ? ['Générez-en de nouveaux depuis la page Mon compte.'] : []),
        ].join(' '),
      ],
      notYou: (account) =>
        `Si vous n’avez pas utilisé de code de secours, quelqu’un dispose peut-être de vos codes et de votre mot de passe : réinitialisez votre mot de passe depuis la page de connexion, générez de nouveaux codes de secours depuis la page Mon compte et contactez un administrateur ${deFr(account)}.`,
    },
    accountLocked: {
      subject: (account) => `Votre compte ${account} est temporairement bloqué`,
      body: (f) => [
        `Votre compte ${f.account} a été bloqué après un trop grand nombre de tentatives de connexion infructueuses.`,
        `Il sera débloqué automatiquement le ${f.lockedUntil}. Vous pouvez attendre jusque-là ou demander à un administrateur ${deFr(f.account)} de le débloquer plus tôt.`,
      ],
      notYou: (account) =>
        `Si ces tentatives ne venaient pas de vous, quelqu’un essaie peut-être de deviner votre mot de passe : pensez à le réinitialiser depuis la page de connexion et prévenez un administrateur ${deFr(account)}.`,
    },
  },
  unlock: {
    body: (expires) =>
      `Si ces tentatives venaient de vous et que vous connaissez votre mot de passe, vous pouvez lever le blocage dès maintenant avec le lien ci-dessous. Il fonctionne une seule fois, jusqu’au ${expires} ; si vous utilisez l’authentification à deux facteurs, un code vous sera d’abord demandé.`,
    action: 'Lever le blocage maintenant',
  },
  resetLink: {
    subject: (account) => `Réinitialisation du mot de passe de votre compte ${account}`,
    body: (account) =>
      `Quelqu’un a demandé la réinitialisation du mot de passe de votre compte ${account}. Si c’est vous, choisissez un nouveau mot de passe à l’aide du lien ci-dessous.`,
    expires: (date) => `Ce lien ne fonctionne qu’une fois, jusqu’au ${date}.`,
    action: 'Choisir un nouveau mot de passe',
    linkFallback: 'Si le lien ne fonctionne pas, copiez cette adresse dans votre navigateur :',
    ignore: 'Si vous n’avez rien demandé, ignorez ce message : votre mot de passe n’a pas changé.',
  },
};

const de: SecurityMessages = {
  greeting: (name) => (name ? `Guten Tag ${name},` : 'Guten Tag,'),
  labelled: (label, value) => `${label}: ${value}`,
  when: 'Datum und Uhrzeit',
  ipAddress: 'IP-Adresse',
  goToSignIn: 'Zur Anmeldeseite',
  goToMyAccount: '„Mein Konto“ öffnen',
  kinds: {
    passwordChanged: {
      subject: (account) => `Ihr Passwort für ${account} wurde geändert`,
      body: (f) => [`Das Passwort Ihres Kontos in ${f.account} wurde unter „Mein Konto“ geändert.`],
      notYou: (account) =>
        `Falls Sie das nicht selbst waren, setzen Sie Ihr Passwort sofort über die Anmeldeseite zurück und informieren Sie einen Administrator von ${account}.`,
    },
    passwordReset: {
      subject: (account) => `Ihr Passwort für ${account} wurde zurückgesetzt`,
      body: (f) => [
        `Das Passwort Ihres Kontos in ${f.account} wurde über einen Link zum Zurücksetzen des Passworts zurückgesetzt. Sie können sich jetzt mit dem neuen Passwort anmelden.`,
      ],
      notYou: (account) =>
        `Falls Sie das nicht selbst waren, wenden Sie sich sofort an einen Administrator von ${account}: Möglicherweise hat jemand Zugriff auf Ihr E-Mail-Postfach.`,
    },
    twoFactorEnabled: {
      subject: (account) => `Zwei-Faktor-Authentifizierung für ${account} aktiviert`,
      body: (f) => [
        `Sie haben die Zwei-Faktor-Authentifizierung für Ihr Konto in ${f.account} aktiviert. Bei der Anmeldung wird ab jetzt nach dem Passwort ein Code aus Ihrer Authentifizierungs-App abgefragt.`,
      ],
      notYou: (account) =>
        `Falls Sie das nicht selbst waren, kennt möglicherweise jemand Ihr Passwort: Setzen Sie es über die Anmeldeseite zurück und wenden Sie sich an einen Administrator von ${account}.`,
    },
    twoFactorRemoved: {
      subject: (account) => `Zwei-Faktor-Authentifizierung für ${account} entfernt`,
      body: (f) => [
        `Sie haben die Zwei-Faktor-Authentifizierung für Ihr Konto in ${f.account} entfernt. Bei der Anmeldung wird jetzt nur noch Ihr Passwort abgefragt. Unter „Mein Konto“ können Sie sie wieder aktivieren.`,
      ],
      notYou: (account) =>
        `Falls Sie das nicht selbst waren, setzen Sie Ihr Passwort sofort über die Anmeldeseite zurück und wenden Sie sich an einen Administrator von ${account}.`,
    },
    twoFactorReset: {
      subject: (account) => `Ihre Zwei-Faktor-Authentifizierung für ${account} wurde zurückgesetzt`,
      body: (f) => [
        `Ein Administrator von ${f.account} hat Ihre Zwei-Faktor-Authentifizierung zurückgesetzt. Die Codes Ihrer bisherigen Authentifizierungs-App funktionieren für dieses Konto nicht mehr.`,
        'Bei Ihrer nächsten Anmeldung werden Sie gebeten, die Zwei-Faktor-Authentifizierung neu einzurichten.',
      ],
      notYou: (account) =>
        `Falls Sie damit nicht gerechnet haben, wenden Sie sich an einen Administrator von ${account}, bevor Sie sich anmelden.`,
    },
    recoveryCodeUsed: {
      subject: (account) => `Ein Wiederherstellungscode für ${account} wurde verwendet`,
      body: (f) => [
        `Einer Ihrer Wiederherstellungscodes wurde für Ihr Konto in ${f.account} verwendet, zur Anmeldung oder zum Zurücksetzen des Passworts. Jeder Code funktioniert nur einmal.`,
        [
          f.codesLeft === 0
            ? 'Sie haben keine Wiederherstellungscodes mehr.'
            : f.codesLeft === 1
              ? 'Sie haben noch 1 Wiederherstellungscode.'
              : `Sie haben noch ${f.codesLeft} Wiederherstellungscodes.`,
          ...(f.fewCodesLeft ? ['Erzeugen Sie unter „Mein Konto“ neue Codes.'] : []),
        ].join(' '),
      ],
      notYou: (account) =>
        `Falls Sie keinen Wiederherstellungscode verwendet haben, kennt möglicherweise jemand Ihre Codes und Ihr Passwort: Setzen Sie Ihr Passwort über die Anmeldeseite zurück, erzeugen Sie unter „Mein Konto“ neue Wiederherstellungscodes und wenden Sie sich an einen Administrator von ${account}.`,
    },
    accountLocked: {
      subject: (account) => `Ihr Konto in ${account} ist vorübergehend gesperrt`,
      body: (f) => [
        `Ihr Konto in ${f.account} wurde nach zu vielen fehlgeschlagenen Anmeldeversuchen gesperrt.`,
        `Die Sperre endet automatisch am ${f.lockedUntil}. Sie können bis dahin warten oder einen Administrator von ${f.account} bitten, das Konto früher zu entsperren.`,
      ],
      notYou: (account) =>
        `Falls diese Versuche nicht von Ihnen stammen, versucht möglicherweise jemand, Ihr Passwort zu erraten: Setzen Sie es am besten über die Anmeldeseite zurück und informieren Sie einen Administrator von ${account}.`,
    },
  },
  unlock: {
    body: (expires) =>
      `Wenn die Versuche von Ihnen stammten und Sie Ihr Passwort kennen, können Sie die Sperre mit dem Link unten sofort aufheben. Er funktioniert einmal, bis ${expires}; wenn Sie die Zwei-Faktor-Authentifizierung nutzen, wird zuerst ein Code abgefragt.`,
    action: 'Sperre jetzt aufheben',
  },
  resetLink: {
    subject: (account) => `Passwort für ${account} zurücksetzen`,
    body: (account) =>
      `Jemand hat angefordert, das Passwort Ihres Kontos in ${account} zurückzusetzen. Falls Sie das waren, wählen Sie über den folgenden Link ein neues Passwort.`,
    expires: (date) => `Der Link funktioniert einmal, bis zum ${date}.`,
    action: 'Neues Passwort wählen',
    linkFallback: 'Falls der Link nicht funktioniert, kopieren Sie diese Adresse in Ihren Browser:',
    ignore:
      'Falls Sie das nicht angefordert haben, ignorieren Sie diese E-Mail: Ihr Passwort bleibt unverändert.',
  },
};

const es: SecurityMessages = {
  greeting: (name) => (name ? `Hola, ${name}:` : 'Hola:'),
  labelled: (label, value) => `${label}: ${value}`,
  when: 'Fecha y hora',
  ipAddress: 'Dirección IP',
  goToSignIn: 'Ir a la página de inicio de sesión',
  goToMyAccount: 'Abrir Mi cuenta',
  kinds: {
    passwordChanged: {
      subject: (account) => `Se ha cambiado su contraseña de ${account}`,
      body: (f) => [`Se ha cambiado la contraseña de su cuenta de ${f.account} desde Mi cuenta.`],
      notYou: (account) =>
        `Si no ha sido usted, restablezca su contraseña de inmediato desde la página de inicio de sesión y avise a un administrador de ${account}.`,
    },
    passwordReset: {
      subject: (account) => `Se ha restablecido su contraseña de ${account}`,
      body: (f) => [
        `Se ha restablecido la contraseña de su cuenta de ${f.account} mediante un enlace de restablecimiento. Ya puede iniciar sesión con la nueva contraseña.`,
      ],
      notYou: (account) =>
        `Si no ha sido usted, póngase en contacto de inmediato con un administrador de ${account}: es posible que alguien tenga acceso a su correo electrónico.`,
    },
    twoFactorEnabled: {
      subject: (account) => `Autenticación en dos pasos activada en ${account}`,
      body: (f) => [
        `Ha activado la autenticación en dos pasos en su cuenta de ${f.account}. A partir de ahora, al iniciar sesión se le pedirá, después de la contraseña, un código de su aplicación de autenticación.`,
      ],
      notYou: (account) =>
        `Si no la ha activado usted, es posible que alguien conozca su contraseña: restablézcala desde la página de inicio de sesión y póngase en contacto con un administrador de ${account}.`,
    },
    twoFactorRemoved: {
      subject: (account) => `Autenticación en dos pasos desactivada en ${account}`,
      body: (f) => [
        `Ha quitado la autenticación en dos pasos de su cuenta de ${f.account}. Ahora, al iniciar sesión, solo se le pedirá la contraseña. Puede volver a activarla en Mi cuenta.`,
      ],
      notYou: (account) =>
        `Si no la ha quitado usted, restablezca su contraseña de inmediato desde la página de inicio de sesión y póngase en contacto con un administrador de ${account}.`,
    },
    twoFactorReset: {
      subject: (account) => `Se ha restablecido su autenticación en dos pasos de ${account}`,
      body: (f) => [
        `Un administrador de ${f.account} ha restablecido su autenticación en dos pasos. Los códigos de su aplicación de autenticación actual ya no sirven para esta cuenta.`,
        'La próxima vez que inicie sesión, tendrá que configurar de nuevo la autenticación en dos pasos.',
      ],
      notYou: (account) =>
        `Si no esperaba este cambio, póngase en contacto con un administrador de ${account} antes de iniciar sesión.`,
    },
    recoveryCodeUsed: {
      subject: (account) => `Se ha usado un código de recuperación en su cuenta de ${account}`,
      body: (f) => [
        `Se ha usado uno de sus códigos de recuperación en su cuenta de ${f.account}, para iniciar sesión o para restablecer la contraseña. Cada código solo sirve una vez.`,
        [
          f.codesLeft === 0
            ? 'No le queda ningún código de recuperación.'
            : f.codesLeft === 1
              ? 'Le queda 1 código de recuperación.'
              : `Le quedan ${f.codesLeft} códigos de recuperación.`,
          ...(f.fewCodesLeft ? ['Genere códigos nuevos en Mi cuenta.'] : []),
        ].join(' '),
      ],
      notYou: (account) =>
        `Si no ha usado ningún código de recuperación, es posible que alguien tenga sus códigos y su contraseña: restablezca la contraseña desde la página de inicio de sesión, genere códigos de recuperación nuevos en Mi cuenta y póngase en contacto con un administrador de ${account}.`,
    },
    accountLocked: {
      subject: (account) => `Su cuenta de ${account} está bloqueada temporalmente`,
      body: (f) => [
        `Su cuenta de ${f.account} se ha bloqueado tras demasiados intentos fallidos de inicio de sesión.`,
        `Se desbloqueará automáticamente el ${f.lockedUntil}. Puede esperar hasta entonces o pedir a un administrador de ${f.account} que la desbloquee antes.`,
      ],
      notYou: (account) =>
        `Si esos intentos no fueron suyos, es posible que alguien esté intentando adivinar su contraseña: le recomendamos restablecerla desde la página de inicio de sesión y avisar a un administrador de ${account}.`,
    },
  },
  unlock: {
    body: (expires) =>
      `Si esos intentos fueron suyos y conoce su contraseña, puede levantar el bloqueo ahora con el enlace de abajo. Funciona una sola vez, hasta el ${expires}; si usa la autenticación en dos pasos, primero se le pedirá un código.`,
    action: 'Levantar el bloqueo ahora',
  },
  resetLink: {
    subject: (account) => `Restablezca su contraseña de ${account}`,
    body: (account) =>
      `Alguien ha solicitado restablecer la contraseña de su cuenta de ${account}. Si ha sido usted, elija una contraseña nueva con el enlace siguiente.`,
    expires: (date) => `El enlace funciona una sola vez, hasta el ${date}.`,
    action: 'Elegir una contraseña nueva',
    linkFallback: 'Si el enlace no funciona, copie esta dirección en su navegador:',
    ignore: 'Si no lo ha solicitado usted, ignore este correo: su contraseña no ha cambiado.',
  },
};

const CATALOG: Record<Language, SecurityMessages> = { en, fr, de, es };

export function securityMessages(language: Language): SecurityMessages {
  return CATALOG[language];
}
